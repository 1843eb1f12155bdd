"""The committee's meeting calendar as pure values.

Tekniska nämnden meets on fixed days; a memo must be handed in by the meeting's last day for
memos (``memo_deadline``, usually three weeks before). The memo's Beslutsplanering names the
first meeting a memo written today can still reach; a decision belongs to a meeting already
held. The appeal period runs from the announcement of that meeting's minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

COMMITTEE = "Tekniska nämnden"


class CalendarError(ValueError):
    """A meeting that cannot be in the calendar; ``str()`` says why, in Swedish."""


@dataclass(frozen=True, order=True)
class CommitteeMeeting:
    """One meeting: its day and the last day to hand in a memo for it."""

    on: date
    memo_deadline: date

    def __post_init__(self) -> None:
        if self.memo_deadline > self.on:
            raise CalendarError(
                f"Sista dag för tjänsteskrivelser ({self.memo_deadline:%Y-%m-%d}) ligger efter "
                f"sammanträdet {self.on:%Y-%m-%d}."
            )


def next_meeting(meetings: Iterable[CommitteeMeeting], after: date) -> CommitteeMeeting | None:
    """The first meeting held after ``after``."""
    return min((m for m in meetings if m.on > after), default=None)


def meeting_for_memo(meetings: Iterable[CommitteeMeeting], today: date) -> CommitteeMeeting | None:
    """The first meeting a memo written ``today`` can still reach (its deadline not passed)."""
    return min((m for m in meetings if m.memo_deadline >= today), default=None)


def latest_meeting(
    meetings: Iterable[CommitteeMeeting], on_or_before: date
) -> CommitteeMeeting | None:
    """The newest meeting held on or before the day: the one that decided."""
    return max((m for m in meetings if m.on <= on_or_before), default=None)
