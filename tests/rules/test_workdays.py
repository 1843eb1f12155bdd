"""Working days and month arithmetic behind reminder dates."""

from __future__ import annotations

from datetime import date

import pytest

from samverkan.rules.workdays import (
    add_months,
    is_working_day,
    previous_working_day,
    working_day_on_or_after,
)

EASTER_2026 = {date(2026, 4, 3), date(2026, 4, 5), date(2026, 4, 6)}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 10), date(2026, 3, 9)),  # Tuesday -> Monday
        (date(2026, 3, 9), date(2026, 3, 6)),  # Monday -> Friday
        (date(2026, 4, 7), date(2026, 4, 2)),  # after Easter -> skärtorsdagen
        (date(2026, 3, 8), date(2026, 3, 6)),  # Sunday -> Friday
    ],
)
def test_previous_working_day(day: date, expected: date) -> None:
    assert previous_working_day(day, EASTER_2026) == expected


def test_working_day_on_or_after_keeps_a_working_day_and_skips_the_rest() -> None:
    assert working_day_on_or_after(date(2026, 4, 2), EASTER_2026) == date(2026, 4, 2)
    assert working_day_on_or_after(date(2026, 4, 3), EASTER_2026) == date(2026, 4, 7)
    assert not is_working_day(date(2026, 4, 6), EASTER_2026)
    assert is_working_day(date(2026, 4, 6), set())


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 2), 6, date(2026, 9, 2)),
        (date(2026, 3, 2), 12, date(2027, 3, 2)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
