"""The deadline policy file: validated whole, a mistake named with its line, in Swedish."""

from __future__ import annotations

from pathlib import Path

import pytest

from samverkan.rules.deadline_policy import (
    DEADLINES,
    DeadlinePolicyError,
    Offset,
    Unit,
    bundled_policy,
    load_policy,
    parse_policy,
)

BUNDLED = bundled_policy()
TEXT = (Path(__file__).parents[2] / "samverkan/rules/rulesets/frister-2026-12-01.1.toml").read_text(
    encoding="utf-8"
)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_bundled_policy_has_the_models_deadlines() -> None:
    assert BUNDLED.id == "frister-2026-12-01.1"
    assert set(BUNDLED.offsets) == set(DEADLINES)
    assert BUNDLED.offset("tilldelning") == Offset(2, Unit.WORKING_DAYS)
    assert BUNDLED.offset("bedomning") == Offset(10, Unit.WORKING_DAYS)
    assert BUNDLED.offset("komplettering") == Offset(10, Unit.DAYS)
    assert BUNDLED.offset("komplettering_avsluta") == Offset(30, Unit.DAYS)
    assert BUNDLED.offset("mote") == Offset(-1, Unit.WORKING_DAYS)
    assert BUNDLED.offset("resultatmatning") == Offset(6, Unit.MONTHS)
    assert BUNDLED.offset("effektmatning") == Offset(12, Unit.MONTHS)
    assert BUNDLED.offset("uppfoljning_paminnelse") == Offset(14, Unit.DAYS)
    assert BUNDLED.digest_weekday == 0


@pytest.mark.parametrize(
    ("old", "new", "needle", "problem"),
    [
        ('bedomning = "10 arbetsdagar"', 'bedomning = "10 veckor"', "bedomning =", "ingen frist"),
        ('mote = "-1 arbetsdagar"', 'moten = "-1 arbetsdagar"', "moten =", "Okänd frist"),
        ('time = "08:00"', 'time = "8.00"', "time =", "ingen tid"),
        ('digest = "måndag"', 'digest = "söndag"', "digest =", "ingen vardag"),
        ('komplettering = "10 dagar"', "komplettering = 10", "komplettering = 10", "en text"),
    ],
)
def test_a_mistake_is_named_with_its_line(old: str, new: str, needle: str, problem: str) -> None:
    broken = TEXT.replace(old, new)
    assert broken != TEXT
    with pytest.raises(DeadlinePolicyError) as caught:
        parse_policy(broken, "frister.toml")
    assert caught.value.line == line_of(broken, needle)
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"frister.toml, rad {caught.value.line}: ")


def test_a_missing_deadline_and_a_syntax_error_are_refused(tmp_path: Path) -> None:
    without = "\n".join(line for line in TEXT.splitlines() if not line.startswith("namnd ="))
    with pytest.raises(DeadlinePolicyError, match="”namnd” saknas"):
        parse_policy(without)
    file = tmp_path / "frister.toml"
    file.write_text(TEXT.replace('id = "frister-2026-12-01.1"', "id = frister"), encoding="utf-8")
    with pytest.raises(DeadlinePolicyError) as caught:
        load_policy(file)
    assert caught.value.line == line_of(TEXT, "id =")
    assert "citattecken" in caught.value.problem
