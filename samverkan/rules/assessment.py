"""What follows an evaluation: the one rule intake and the chat commands both apply.

An application that lacks something waits for the actor (komplettering); a complete one goes to
the contact person (bedömning); one that is not eligible stays where it is for an official to
decide. Whoever re-evaluates a case - a reply from the actor, an official's correction, a case
opened in chat - moves it by this rule, so a case never ends up where the other path would not
have put it.
"""

from __future__ import annotations

from datetime import datetime

from samverkan.rules.criteria import Outcome
from samverkan.rules.phases import Phase, Role, Transition, TransitionRefused, transition

# (verdict, phases it moves a case from) -> (phase it moves to, why)
_NEXT: dict[Outcome, tuple[frozenset[Phase], Phase, str]] = {
    Outcome.INCOMPLETE: (frozenset({Phase.INKOMMEN}), Phase.KOMPLETTERING, "uppgifter saknas"),
    Outcome.COMPLETE: (
        frozenset({Phase.INKOMMEN, Phase.KOMPLETTERING}),
        Phase.BEDOMNING,
        "ansökan är komplett",
    ),
}


def after_evaluation(
    current: Phase,
    verdict: Outcome,
    *,
    by: str,
    role: Role,
    now: datetime,
    ask_actor: bool = True,
) -> Transition | None:
    """The move a fresh verdict makes from ``current``, or ``None`` when the case stays.

    Only the early phases move: a case an official has taken on (bedömning and later) stays
    where the official put it, whatever a correction does to its verdict. ``ask_actor=False``
    (``SAMVERKAN_KOMPLETTERING=confirm``) keeps an incomplete case in inkommen: the request
    for more information, and with it the move to komplettering, waits for the contact person.
    """
    rule = _NEXT.get(verdict)
    if rule is None or current not in rule[0]:
        return None
    if verdict is Outcome.INCOMPLETE and not ask_actor:
        return None
    _, target, why = rule
    try:
        return transition(current, target, by=by, role=role, why=why, now=now)
    except TransitionRefused:  # pragma: no cover - every move above is allowed to anyone
        return None
