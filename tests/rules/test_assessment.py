"""What follows an evaluation: one rule for intake and chat."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samverkan.rules.assessment import after_evaluation
from samverkan.rules.criteria import Outcome
from samverkan.rules.phases import Phase, Role

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "verdict", "target"),
    [
        (Phase.INKOMMEN, Outcome.INCOMPLETE, Phase.KOMPLETTERING),
        (Phase.INKOMMEN, Outcome.COMPLETE, Phase.BEDOMNING),
        (Phase.KOMPLETTERING, Outcome.COMPLETE, Phase.BEDOMNING),
        (Phase.KOMPLETTERING, Outcome.INCOMPLETE, None),  # still waiting for the actor
        (Phase.INKOMMEN, Outcome.NOT_ELIGIBLE, None),  # an official decides
        (Phase.KOMPLETTERING, Outcome.NOT_ELIGIBLE, None),
        (Phase.BEDOMNING, Outcome.INCOMPLETE, None),  # taken on: stays where it was put
        (Phase.MOTE, Outcome.COMPLETE, None),
        (Phase.AVSLAG, Outcome.COMPLETE, None),
    ],
)
def test_the_verdict_moves_only_an_early_case(
    current: Phase, verdict: Outcome, target: Phase | None
) -> None:
    move = after_evaluation(current, verdict, by="system", role=Role.SYSTEM, now=NOW)
    assert (move.to_phase if move else None) == target
    if move is not None:
        assert (move.from_phase, move.by, move.at) == (current, "system", NOW)
        assert move.why


def test_an_official_making_the_correction_is_the_one_recorded() -> None:
    move = after_evaluation(
        Phase.INKOMMEN, Outcome.COMPLETE, by="U0KARIN", role=Role.KONTAKTPERSON, now=NOW
    )
    assert move is not None
    assert (move.by, move.why) == ("U0KARIN", "ansökan är komplett")
