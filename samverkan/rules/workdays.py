"""Working days and month arithmetic for reminders, as pure functions of dates.

The holiday calendar is a parameter rather than an import: the pure core stays on the standard
library, and the caller (``bot/actions.py``) passes Sweden's calendar from the ``holidays``
package. Anything with ``in`` works, so tests can pass a plain set.
"""

from __future__ import annotations

import calendar
from collections.abc import Container
from datetime import date, timedelta

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
