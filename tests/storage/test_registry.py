"""The officials' registry and the committee calendar on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from samverkan.rules.committee import CommitteeMeeting
from samverkan.rules.phases import Role
from samverkan.storage import committee, officials
from samverkan.storage.db import session_scope
from samverkan.storage.officials import OfficialChange, RegistryError

SEED = {"U0KARIN": Role.KONTAKTPERSON, "anna.berg@malmo.se": Role.SAMORDNARE}


def test_the_configuration_seeds_the_registry_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        assert officials.seed(session, SEED, now=now) == 2
        assert officials.seed(session, SEED, now=now) == 0
        karin = officials.find(session, "U0KARIN")
        assert karin is not None
        assert (karin.slack_id, karin.email) == ("U0KARIN", None)
        anna = officials.find(session, "Anna.Berg@malmo.se")  # e-mail without case
        assert anna is not None
        assert anna.role is Role.SAMORDNARE


def test_any_id_finds_the_official_and_a_removed_one_stays_removed(
    engine: Engine, now: datetime
) -> None:
    change = OfficialChange(
        role=Role.KONTAKTPERSON,
        name="Karin Holm",
        title="Stadsutvecklare",
        email="Karin.Holm@malmo.se",
        teams_id="6f1c2a9e-52d4-4c4b-9d5e-0a7b1c2d3e4f",
    )
    with session_scope(engine) as session:
        officials.seed(session, SEED, now=now)
        karin, new = officials.register(session, "U0KARIN", change, by="anna", now=now)
        assert not new  # already seeded
        assert karin.ids == (
            "U0KARIN",
            "karin.holm@malmo.se",
            "6f1c2a9e-52d4-4c4b-9d5e-0a7b1c2d3e4f",
        )
    with session_scope(engine) as session:
        for ident in karin.ids:
            assert officials.role_of(session, ident, {}) is Role.KONTAKTPERSON
        officials.remove(session, "karin.holm@malmo.se", by="anna", now=now)
    with session_scope(engine) as session:
        assert officials.role_of(session, "U0KARIN", SEED) is None  # config does not revive
        officials.seed(session, SEED, now=now)
        assert officials.role_of(session, "U0KARIN", SEED) is None
        assert [o.ident for o in officials.list_officials(session)] == ["anna.berg@malmo.se"]
        # an id never registered falls back to the configuration
        assert officials.role_of(session, "U0NEW", {"U0NEW": Role.SAMORDNARE}) is Role.SAMORDNARE


def test_an_id_belongs_to_one_official_and_a_coordinator_remains(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        officials.seed(session, SEED, now=now)
    with pytest.raises(RegistryError, match="hör redan till"), session_scope(engine) as session:
        officials.update(
            session, "U0KARIN", OfficialChange(email="anna.berg@malmo.se"), by="x", now=now
        )
    with pytest.raises(RegistryError, match="enda samordnaren"), session_scope(engine) as session:
        officials.remove(session, "anna.berg@malmo.se", by="x", now=now)
    with pytest.raises(RegistryError, match="enda samordnaren"), session_scope(engine) as session:
        officials.update(
            session, "anna.berg@malmo.se", OfficialChange(role=Role.KONTAKTPERSON), by="x", now=now
        )
    with session_scope(engine) as session:
        assert officials.role_of(session, "anna.berg@malmo.se", {}) is Role.SAMORDNARE


def test_the_calendar_answers_which_meeting(engine: Engine, now: datetime) -> None:
    feb = CommitteeMeeting(date(2027, 2, 23), date(2027, 2, 2))
    mar = CommitteeMeeting(date(2027, 3, 23), date(2027, 3, 2))
    with session_scope(engine) as session:
        assert committee.add_meeting(session, mar, by="anna", now=now)[1]
        assert committee.add_meeting(session, feb, by="anna", now=now)[1]
        moved = CommitteeMeeting(date(2027, 2, 23), date(2027, 2, 1))
        assert not committee.add_meeting(session, moved, by="anna", now=now)[1]
    with session_scope(engine) as session:
        assert committee.meetings(session) == [moved, mar]
        assert committee.next_meeting(session, date(2027, 2, 1)) == moved
        assert committee.next_meeting(session, date(2027, 2, 23)) == mar
        assert committee.meeting_for_memo(session, date(2027, 2, 2)) == mar
        assert committee.latest_meeting(session, date(2027, 3, 1)) == moved
        assert committee.remove_meeting(session, date(2027, 2, 23))
        assert not committee.remove_meeting(session, date(2027, 2, 23))
        assert committee.meetings(session) == [mar]
