"""Deadlines on Swedish working days in Stockholm time: Easter, midsummer, Christmas, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from samverkan.rules.deadline_policy import Offset, Unit, bundled_policy
from samverkan.rules.deadlines import CaseFacts, due_reminders, is_late, shift
from samverkan.rules.phases import Phase

ZONE = ZoneInfo("Europe/Stockholm")
SWEDEN = holidays.country_holidays("SE", categories=("public", "de_facto"), years=range(2026, 2029))
POLICY = bundled_policy()


def local(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=ZONE)


def facts(**kw: object) -> CaseFacts:
    base: dict[str, object] = {
        "case_id": 1,
        "ref": "SAM-2026-0001",
        "phase": Phase.INKOMMEN,
        "received_at": local(2026, 3, 2),
        "phase_since": local(2026, 3, 2),
    }
    return CaseFacts(**(base | kw))  # type: ignore[arg-type]


def due(f: CaseFacts) -> dict[str, datetime]:
    return {d.kind: d.due_at for d in due_reminders(f, POLICY, SWEDEN, ZONE)}


@pytest.mark.parametrize(
    ("start", "offset", "expected"),
    [
        # Easter 2026: långfredagen 3 April and annandag påsk 6 April are not working days.
        (date(2026, 4, 2), Offset(2, Unit.WORKING_DAYS), date(2026, 4, 8)),
        (date(2026, 4, 7), Offset(-1, Unit.WORKING_DAYS), date(2026, 4, 2)),
        # Midsummer Eve (19 June 2026) is a day off: ten days from 9 June wait for Monday.
        (date(2026, 6, 9), Offset(10, Unit.DAYS), date(2026, 6, 22)),
        (date(2026, 6, 18), Offset(1, Unit.WORKING_DAYS), date(2026, 6, 22)),
        # Christmas, New Year and Epiphany: ten working days from 22 December.
        (date(2026, 12, 22), Offset(10, Unit.WORKING_DAYS), date(2027, 1, 12)),
        # Months: 5 September 2026 is a Saturday; 31 August + 6 months is 28 February.
        (date(2026, 3, 5), Offset(6, Unit.MONTHS), date(2026, 9, 7)),
        (date(2026, 8, 31), Offset(6, Unit.MONTHS), date(2027, 3, 1)),
        (date(2026, 12, 24), Offset(0, Unit.WORKING_DAYS), date(2026, 12, 28)),
    ],
)
def test_offsets_land_on_swedish_working_days(start: date, offset: Offset, expected: date) -> None:
    assert shift(start, offset, SWEDEN) == expected


def test_a_new_case_is_due_for_assignment_after_two_working_days_across_easter() -> None:
    found = due(facts(received_at=local(2026, 4, 2), phase_since=local(2026, 4, 2)))
    assert found["tilldelning"] == datetime(2026, 4, 8, 6, 0, tzinfo=UTC)  # 08:00 summer time
    assert found["bedomning"] == datetime(2026, 4, 20, 6, 0, tzinfo=UTC)


def test_the_start_of_day_follows_daylight_saving_time() -> None:
    """Received Thursday 26 March 2026; the clocks go forward on Sunday 29 March."""
    before = due(facts(received_at=local(2026, 3, 24), phase_since=local(2026, 3, 24)))
    after = due(facts(received_at=local(2026, 3, 26), phase_since=local(2026, 3, 26)))
    assert before["tilldelning"] == datetime(2026, 3, 26, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert after["tilldelning"] == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST
    autumn = due(facts(received_at=local(2026, 10, 22), phase_since=local(2026, 10, 22)))
    assert autumn["tilldelning"] == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)  # back to CET


def test_an_assigned_case_with_a_verdict_has_no_intake_deadlines() -> None:
    assert set(due(facts(assigned_to="U0KARIN", phase=Phase.BEDOMNING))) == {"bedomning"}
    assert due(facts(assigned_to="U0KARIN", phase=Phase.NAMND)) == {}


def test_an_unanswered_request_reminds_the_actor_then_asks_whether_to_close() -> None:
    asked = facts(phase=Phase.KOMPLETTERING, phase_since=local(2026, 6, 9), assigned_to="U0KARIN")
    found = due(asked)
    assert found["komplettering"] == datetime(2026, 6, 22, 6, 0, tzinfo=UTC)  # after midsummer
    assert found["komplettering_avsluta"] == datetime(2026, 7, 9, 6, 0, tzinfo=UTC)
    assert "komplettering" not in due(
        facts(phase=Phase.KOMPLETTERING, phase_since=local(2026, 6, 9), answered_since=True)
    )


def test_a_meeting_is_reminded_the_working_day_before_and_only_while_booked() -> None:
    booked = facts(phase=Phase.MOTE, meeting_at=local(2026, 12, 28, 13))
    assert due(booked)["mote"] == datetime(2026, 12, 23, 7, 0, tzinfo=UTC)  # before Christmas
    assert "mote" not in due(facts(phase=Phase.NAMND, meeting_at=local(2026, 12, 28, 13)))


def test_a_grant_asks_for_measurements_and_reminds_once_after_the_request() -> None:
    granted = facts(phase=Phase.GENOMFORANDE, granted_at=local(2026, 3, 5, 15))
    found = due(granted)
    assert found["resultatmatning"] == datetime(2026, 9, 7, 6, 0, tzinfo=UTC)
    assert found["effektmatning"] == datetime(2027, 3, 5, 7, 0, tzinfo=UTC)
    assert "resultatmatning_paminnelse" not in found  # not asked yet
    asked = due(
        facts(
            phase=Phase.GENOMFORANDE,
            granted_at=local(2026, 3, 5, 15),
            requested={"resultatmatning": local(2026, 12, 14, 9)},
        )
    )
    # 14 days after 14 December is 28 December, the first working day after Christmas.
    assert asked["resultatmatning_paminnelse"] == datetime(2026, 12, 28, 7, 0, tzinfo=UTC)
    measured = due(
        facts(
            phase=Phase.UPPFOLJNING,
            granted_at=local(2026, 3, 5, 15),
            measured=frozenset({"resultat"}),
        )
    )
    assert set(measured) == {"effektmatning"}


@pytest.mark.parametrize("phase", [Phase.AVSLUTAD, Phase.AVSLAG, Phase.ATERKALLAD])
def test_a_closed_case_gets_nothing(phase: Phase) -> None:
    assert due(facts(phase=phase, meeting_at=local(2026, 4, 7))) == {}


def test_a_memo_deadline_comes_from_the_committee_calendar() -> None:
    forwarded = facts(phase=Phase.NAMND, memo_deadline=date(2027, 2, 2))
    assert due(forwarded)["namnd"] == datetime(2027, 2, 2, 7, 0, tzinfo=UTC)


def test_late_means_over_an_hour_after_it_fell_due() -> None:
    at = datetime(2026, 4, 8, 6, 0, tzinfo=UTC)
    assert not is_late(at, at.replace(minute=59))
    assert is_late(at, at.replace(hour=7, minute=1))
