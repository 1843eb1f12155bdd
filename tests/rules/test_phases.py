"""The process of SPEC §2: every legal move, a sample of illegal ones, and what a refusal says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samverkan.rules.phases import (
    TERMINAL,
    TRANSITIONS,
    Phase,
    Role,
    TransitionRefused,
    next_phases,
    transition,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
LEGAL = [(src, dst) for src, targets in TRANSITIONS.items() for dst in targets]


@pytest.mark.parametrize(("src", "dst"), LEGAL, ids=[f"{s}->{d}" for s, d in LEGAL])
def test_every_legal_move_is_accepted_for_an_official_and_recorded(
    src: Phase | None, dst: Phase
) -> None:
    move = transition(src, dst, by="U0KARIN", role=Role.KONTAKTPERSON, why="skäl", now=NOW)
    assert (move.from_phase, move.to_phase, move.by, move.at, move.why) == (
        src,
        dst,
        "U0KARIN",
        NOW,
        "skäl",
    )


ILLEGAL = [
    (Phase.INKOMMEN, Phase.NAMND),
    (Phase.INKOMMEN, Phase.GENOMFORANDE),
    (Phase.KOMPLETTERING, Phase.NAMND),
    (Phase.BEDOMNING, Phase.GENOMFORANDE),
    (Phase.NAMND, Phase.BEDOMNING),
    (Phase.GENOMFORANDE, Phase.AVSLUTAD),
    (Phase.UPPFOLJNING, Phase.INKOMMEN),
    (Phase.AVSLUTAD, Phase.INKOMMEN),
    (Phase.AVSLAG, Phase.BEDOMNING),
    (Phase.ATERKALLAD, Phase.INKOMMEN),
    (None, Phase.BEDOMNING),
]


@pytest.mark.parametrize(("src", "dst"), ILLEGAL)
def test_illegal_moves_are_refused_naming_the_possible_next_steps(
    src: Phase | None, dst: Phase
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        transition(src, dst, by="U0KARIN", role=Role.SAMORDNARE, why="", now=NOW)
    message = str(refused.value)
    assert dst.label in message
    assert "Möjliga nästa steg" in message
    for possible in next_phases(src, Role.SAMORDNARE):
        assert possible.label in message


def test_a_refusal_in_a_closed_case_says_nothing_more_can_happen() -> None:
    with pytest.raises(TransitionRefused, match="inga – ärendet är avslutat"):
        transition(Phase.AVSLUTAD, Phase.UPPFOLJNING, by="x", role=Role.SAMORDNARE, why="", now=NOW)


def test_terminal_phases_have_no_way_out() -> None:
    for phase in TERMINAL:
        assert TRANSITIONS[phase] == {}


def test_the_system_cannot_approve_reject_or_close() -> None:
    for src, dst in [
        (Phase.BEDOMNING, Phase.NAMND),
        (Phase.INKOMMEN, Phase.AVSLAG),
        (Phase.NAMND, Phase.GENOMFORANDE),
        (Phase.UPPFOLJNING, Phase.AVSLUTAD),
    ]:
        with pytest.raises(TransitionRefused, match="Endast en handläggare"):
            transition(src, dst, by="system", role=Role.SYSTEM, why="auto", now=NOW)


def test_the_system_moves_intake_and_follow_up_phases() -> None:
    assert next_phases(Phase.INKOMMEN, Role.SYSTEM) == [Phase.KOMPLETTERING, Phase.BEDOMNING]
    assert next_phases(Phase.GENOMFORANDE, Role.SYSTEM) == [Phase.UPPFOLJNING]


@pytest.mark.parametrize("target", [Phase.AVSLAG, Phase.ATERKALLAD])
def test_rejection_and_withdrawal_need_a_reason(target: Phase) -> None:
    with pytest.raises(TransitionRefused, match="Ange ett skäl"):
        transition(Phase.BEDOMNING, target, by="U0KARIN", role=Role.KONTAKTPERSON, why=" ", now=NOW)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        transition(
            None,
            Phase.INKOMMEN,
            by="system",
            role=Role.SYSTEM,
            why="",
            now=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )


def test_every_phase_of_the_model_is_reachable_from_a_new_case() -> None:
    seen: set[Phase] = set()
    frontier: list[Phase | None] = [None]
    while frontier:
        src = frontier.pop()
        for dst in TRANSITIONS[src]:
            if dst not in seen:
                seen.add(dst)
                frontier.append(dst)
    assert seen == set(Phase)
