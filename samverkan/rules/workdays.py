"""Working days and month arithmetic for reminders, as pure functions of dates.

The holiday calendar is a parameter rather than an import: the pure core stays on the standard
library, and the caller (``bot/actions.py``) passes Sweden's calendar from the ``holidays``
package. Anything with ``in`` works, so tests can pass a plain set.
"""

from __future__ import annotations

import calendar
from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta, tzinfo

SATURDAY = 5


def is_working_day(day: date, holidays: Container[date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def previous_working_day(day: date, holidays: Container[date]) -> date:
    """The last working day strictly before ``day`` (a Monday's is the Friday before)."""
    candidate = day - timedelta(days=1)
    while not is_working_day(candidate, holidays):
        candidate -= timedelta(days=1)
    return candidate


def working_day_on_or_after(day: date, holidays: Container[date]) -> date:
    """``day`` itself when it is a working day, else the next one."""
    candidate = day
    while not is_working_day(candidate, holidays):
        candidate += timedelta(days=1)
    return candidate


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st lands on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_working_days(day: date, count: int, holidays: Container[date]) -> date:
    """``count`` working days after ``day`` (before it when negative); 0 is ``day`` itself
    when it is a working day, else the next one."""
    if count == 0:
        return working_day_on_or_after(day, holidays)
    step = timedelta(days=1 if count > 0 else -1)
    candidate, left = day, abs(count)
    while left:
        candidate += step
        if is_working_day(candidate, holidays):
            left -= 1
    return candidate


def at_local(day: date, clock: time, zone: tzinfo) -> datetime:
    """``clock`` on ``day`` in ``zone``, as an aware UTC moment.

    zoneinfo gives the right offset on either side of a daylight-saving change (08:00 is
    07:00 UTC in winter and 06:00 in summer); a time that does not exist on the spring
    change (02:30) is read as the moment after the gap.
    """
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
