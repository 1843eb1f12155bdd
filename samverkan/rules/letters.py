"""What the letters to applicants say about the rules' verdict, as pure functions.

The acknowledgement of an application that is not eligible says why, in the rule set's own
words, and what the applicant can do about each blocking criterion; the one for a complete
application says what happens next and within how long (from the deadline policy).
"""

from __future__ import annotations

from samverkan.rules.criteria import Evaluation, Outcome, Status
from samverkan.rules.deadline_policy import DeadlinePolicy

__all__ = ["ack_details"]

_ADVICE = {
    "omrade": (
        "Samverkansstöd ges bara för geografiskt avgränsade områden i Malmö. Gäller samverkan "
        "en plats i en annan kommun, vänd er till den kommunen. Ligger området i Malmö, svara "
        "på det här meddelandet och ange stadsdel eller delområde, så bedömer vi ansökan igen."
    ),
    "aktorer": (
        "Modellen kräver att minst {min} olika slags aktörer samverkar – fastighetsägare, "
        "näringsliv, föreningar, boende eller offentliga aktörer. Bjud in fler och svara på det "
        "här meddelandet med vilka som deltar, så bedömer vi ansökan igen."
    ),
}


def ack_details(evaluation: Evaluation, policy: DeadlinePolicy) -> dict[str, object]:
    """``reasons`` and ``advice`` for a non-eligible application; ``within`` (``10
    arbetsdagar``) for when the contact person comes back to a complete one."""
    blocked = [
        r for r in evaluation.results if r.blocking and r.status is Status.NOT_MET
    ] if evaluation.outcome is Outcome.NOT_ELIGIBLE else []  # fmt: skip
    advice = [_ADVICE[r.id].format(min=r.facts.get("min", "2")) for r in blocked if r.id in _ADVICE]
    return {
        "reasons": [r.reason for r in blocked],
        "advice": advice,
        "within": str(policy.offset("bedomning")),
    }
