"""What to ask the actor for when an application is incomplete (komplettering).

The lines are worded from the rule set's ``requests`` texts and the facts each result kept, so
the acknowledgement e-mail and an official's request for more information say the same thing
as the evaluation, in the words an official chose.
"""

from __future__ import annotations

from samverkan.rules.criteria import Evaluation, Status
from samverkan.rules.ruleset import RuleSet


def missing_items(evaluation: Evaluation, rules: RuleSet) -> list[str]:
    """One plain-Swedish line per ``missing`` criterion telling the actor what to send.

    ``rules`` may be a newer rule set than the one that made ``evaluation``; a text it lacks
    (a criterion or case it does not know) falls back to the stored reason.
    """
    lines = []
    for result in evaluation.results:
        if result.status is not Status.MISSING:
            continue
        try:
            requests = rules.criterion(result.id).requests
            parts = [requests[case].format(**result.facts) for case in result.cases]
        except (KeyError, IndexError):
            parts = []
        lines.append(" ".join(parts) if parts else result.reason)
    return lines
