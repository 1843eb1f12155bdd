"""The committee calendar as pure values: which meeting a memo reaches, which one decided."""

from __future__ import annotations

from datetime import date

import pytest

from samverkan.rules.committee import (
    CalendarError,
    CommitteeMeeting,
    latest_meeting,
    meeting_for_memo,
    next_meeting,
)
from samverkan.rules.officials import Official, Platform, platform_of
from samverkan.rules.phases import Role

JAN = CommitteeMeeting(on=date(2027, 1, 26), memo_deadline=date(2027, 1, 5))
FEB = CommitteeMeeting(on=date(2027, 2, 23), memo_deadline=date(2027, 2, 2))
CALENDAR = [FEB, JAN]


def test_a_memo_reaches_the_first_meeting_whose_deadline_has_not_passed() -> None:
    assert meeting_for_memo(CALENDAR, date(2027, 1, 5)) == JAN  # the deadline day counts
    assert meeting_for_memo(CALENDAR, date(2027, 1, 6)) == FEB  # too late for January
    assert meeting_for_memo(CALENDAR, date(2027, 2, 3)) is None


def test_next_and_latest_meeting() -> None:
    assert next_meeting(CALENDAR, date(2027, 1, 26)) == FEB  # strictly after
    assert next_meeting(CALENDAR, date(2027, 1, 25)) == JAN
    assert latest_meeting(CALENDAR, date(2027, 2, 22)) == JAN
    assert latest_meeting(CALENDAR, date(2027, 2, 23)) == FEB
    assert latest_meeting(CALENDAR, date(2027, 1, 1)) is None


def test_a_deadline_after_the_meeting_is_refused_in_swedish() -> None:
    with pytest.raises(CalendarError, match="ligger efter sammanträdet 2027-02-23"):
        CommitteeMeeting(on=date(2027, 2, 23), memo_deadline=date(2027, 2, 24))


def test_ids_are_told_apart_by_their_shape() -> None:
    assert platform_of("anna.berg@malmo.se") is Platform.EMAIL
    assert platform_of("U0KARIN") is Platform.SLACK
    assert platform_of("6f1c2a9e-52d4-4c4b-9d5e-0a7b1c2d3e4f") is Platform.TEAMS
    assert platform_of("29:1AbCdEf") is Platform.TEAMS
    assert platform_of("karin") is Platform.OTHER
    karin = Official("U0KARIN", Role.KONTAKTPERSON, name="Karin Holm", title="stadsutvecklare")
    assert karin.display == "Karin Holm, stadsutvecklare"
    assert Official("U0X", Role.KONTAKTPERSON).display == "U0X"
