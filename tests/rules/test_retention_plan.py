"""The retention plan as data: the bundled plan, the rules' times, mistakes named by line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samverkan.rules.phases import Phase
from samverkan.rules.retention_plan import (
    MESSAGE,
    PERSONAL_DATA,
    RetentionError,
    bundled_plan,
    parse_plan,
)

GOOD = """id = "test.1"
beslut = "Ett testbeslut"

[[regel]]
id = "brus"
beskrivning = "Reklam"
vad = "meddelande"
utfall = ["ignored"]
efter_manader = 3

[[regel]]
id = "pu"
beskrivning = "Personuppgifter"
vad = "personuppgifter"
faser = ["avslutad", "avslag"]
efter_ar = 2
"""


def test_the_bundled_plan_reads() -> None:
    plan = bundled_plan()
    assert plan.id == "2026-12-01.1"
    assert {r.target for r in plan.rules} == {MESSAGE, PERSONAL_DATA}
    assert all(r.months >= 3 for r in plan.rules)


def test_a_plan_reads_into_rules() -> None:
    plan = parse_plan(GOOD)
    noise, personal = plan.rules
    assert (noise.id, noise.months, noise.outcomes) == ("brus", 3, ("ignored",))
    assert (personal.months, personal.phases) == (24, (Phase.AVSLUTAD, Phase.AVSLAG))


def test_a_rule_is_due_after_its_months_to_the_day() -> None:
    rule = parse_plan(GOOD).rules[0]
    since = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert not rule.due(since, datetime(2027, 2, 27, 23, 0, tzinfo=UTC))
    assert rule.due(since, datetime(2027, 2, 28, 8, 0, tzinfo=UTC))  # no 30 February


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ('utfall = ["ignored"]', 'utfall = ["created"]', 8, "'created' finns inte"),
        ("efter_manader = 3", "efter_manader = 0", 9, "minst 1"),
        ("efter_ar = 2", 'efter_ar = "två"', 16, "heltal"),
        ('vad = "personuppgifter"', 'vad = "allt"', 14, "'vad' ska vara"),
        ('faser = ["avslutad", "avslag"]', 'faser = ["bedomning"]', 15, "'bedomning' finns inte"),
        ('id = "pu"', 'id = "brus"', 12, "finns redan"),
        ('beskrivning = "Reklam"', 'beskrivning = "Reklam"\nfarg = "röd"', 7, "farg"),
        ('beslut = "Ett testbeslut"', "beslut = Ett testbeslut", 2, "citattecken"),
    ],
)
def test_a_mistake_is_named_with_its_line(old: str, new: str, line: int, words: str) -> None:
    with pytest.raises(RetentionError) as caught:
        parse_plan(GOOD.replace(old, new), "plan.toml")
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"plan.toml, rad {line}: ")
