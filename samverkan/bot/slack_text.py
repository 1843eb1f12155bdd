"""Slack's message text made canonical chat text, before the command core sees it.

Slack writes mentions, links and three characters in its own syntax: ``<@U0KARIN|karin>``,
``<mailto:anna@malmo.se|anna@malmo.se>``, ``<https://x.example|x>``, ``<#C0123|samverkan>``,
``<!here>`` and ``&amp; &lt; &gt;``. The core knows none of that: it reads ``@U0KARIN``,
``anna@malmo.se``, ``https://x.example``, ``#samverkan``, ``@here`` and ``& < >``. Pure.
"""

from __future__ import annotations

import re

__all__ = ["canonical_text"]

_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _one(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return target  # a user: "@U0KARIN"; the label is the name Slack had, not an id
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        special = target[1:].split("^", 1)[0]
        return f"@{label or special}"
    if target.startswith("mailto:"):
        return target.removeprefix("mailto:")
    return target  # a link: its address, whatever label Slack showed


def canonical_text(text: str) -> str:
    """``tilldela SAM-2026-0001 <@U0KARIN|karin>`` -> ``tilldela SAM-2026-0001 @U0KARIN``."""
    plain = _ANGLE.sub(_one, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
