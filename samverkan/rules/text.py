"""Text that came from outside this code, made safe to show, and Swedish number words.

:func:`clean_actor_text` is the one function every channel (Slack, Teams, the console, e-mail
in text and HTML, the committee memo) runs over words it did not write itself: an applicant's
mail, a stored field, what an official typed. It removes what changes what a reader believes
without being visible: C0 and C1 control characters (a terminal obeys them) and the Unicode
bidirectional controls that make ``https://evil.example/fdp.gnidliub`` read backwards, the
"Trojan Source" trick, and it masks personal identity numbers (``811218-XXXX``,
:mod:`samverkan.rules.personal`). Newlines and tabs stay. Escaping for a markup (mrkdwn,
Markdown, HTML) is each renderer's own business and comes after this.
"""

from __future__ import annotations

import re

from samverkan.rules.personal import mask_identity_numbers

__all__ = ["clean_actor_text", "format_sek", "plural"]

# C0 and C1 control characters but newline and tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# ALM, LRM, RLM, the embeddings and overrides (LRE…RLO, PDF) and the isolates (LRI…PDI).
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_actor_text(value: str) -> str:
    """``value`` without control characters and bidi controls, identity numbers masked."""
    return mask_identity_numbers(_BIDI.sub("", _CONTROL.sub("", value)))


def format_sek(amount: int | None) -> str:
    """Swedish style: ``350 000 kr``; ``–`` when there is no amount."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", " ") + " kr"


def plural(count: int, one: str, many: str) -> str:
    """``1 åtgärd``, ``2 åtgärder``, ``0 åtgärder``: Swedish uses the singular for one only."""
    return f"{count} {one if count == 1 else many}"
