"""Amounts of money in Swedish kronor as actors write them.

Only numbers tied to a currency or a money unit count ("250 000 kr", "250 tkr", "0,25 MSEK",
"SEK 250,000", "250k"), so years, dates, organisation numbers and phone numbers never become
amounts. One precompiled pattern, scanned once, without nested repetition.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["parse_amounts"]

# A number: thousands grouped by space, no-break space, dot or comma ("250 000", "250.000",
# "250,000"), or plain digits, with an optional decimal part ("0,25", "1.5").
_NUMBER = (
    r"(?<![\d.,])"
    r"(?:\d{1,3}(?:(?:[ \u00a0\u202f]|[.,](?=\d{3}(?!\d)))\d{3})+|\d+)"
    r"(?:[.,]\d{1,2}(?!\d))?"
)
_UNIT_AFTER = (
    r"(?P<unit>"
    r"tusen\s+kronor|tusen\s+kr|tkr|ksek|tsek"
    r"|miljoner\s+kronor|miljon\s+kronor|miljoner\s+kr|miljon\s+kr|miljoner|miljon"
    r"|milj\.?\s*kr|mkr|mnkr|msek"
    r"|kronor|kr|sek|k"
    r")(?![\wåäö-])\.?"
    r"|(?P<dash>:-)"
)
_AMOUNT = re.compile(
    rf"(?P<num>{_NUMBER})[ \u00a0]?(?:{_UNIT_AFTER})"
    rf"|(?<![\wåäö])(?:sek|kr)\.?[ \u00a0]?(?P<num2>{_NUMBER})(?![\d])",
    re.IGNORECASE,
)
# "en halv miljon", "två miljoner kronor", "en kvarts miljon": amounts written in words.
_WORD_NUMBER = {
    "en": 1, "ett": 1, "två": 2, "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "atta": 8, "nio": 9, "tio": 10, "one": 1, "two": 2, "three": 3, "half a": 0.5,
    "en halv": 0.5, "halv": 0.5, "en kvarts": 0.25, "a quarter": 0.25, "one and a half": 1.5,
    "en och en halv": 1.5, "halvannan": 1.5, "a": 1,
}  # fmt: skip
_IN_WORDS = re.compile(
    r"(?<![\wåäö])(?P<words>"
    + "|".join(sorted((re.escape(w) for w in _WORD_NUMBER), key=len, reverse=True))
    + r")\s+(?P<unit>miljon(?:er)?|million|miljard)(?:\s+(?:kronor|kr|sek))?(?![\wåäö])",
    re.IGNORECASE,
)
_SCALE = {
    "tusen": 1_000,
    "tkr": 1_000,
    "ksek": 1_000,
    "tsek": 1_000,
    "k": 1_000,
    "miljon": 1_000_000,
    "miljoner": 1_000_000,
    "milj": 1_000_000,
    "mkr": 1_000_000,
    "mnkr": 1_000_000,
    "msek": 1_000_000,
}


def parse_amounts(text: str) -> list[tuple[int, str]]:
    """Every amount in SEK with the words it was read from, in text order."""
    out: list[tuple[int, str]] = []
    for match in _AMOUNT.finditer(text):
        raw = match.group("num") or match.group("num2")
        unit = (match.group("unit") or "").lower()
        scale = _SCALE.get(re.split(r"[\s.]", unit, maxsplit=1)[0], 1)
        value = _to_decimal(raw, scaled=scale > 1)
        if value is None or value <= 0:
            continue
        out.append((int(value * scale), match.group(0).strip().rstrip(".")))
    for match in _IN_WORDS.finditer(text):
        factor = 1_000_000_000 if match.group("unit").lower() == "miljard" else 1_000_000
        value = Decimal(str(_WORD_NUMBER[match.group("words").lower()])) * factor
        out.append((int(value), match.group(0).strip()))
    out.sort(key=lambda found: text.find(found[1]))
    return out


def _to_decimal(raw: str, *, scaled: bool) -> Decimal | None:
    """Read a number, telling thousands separators from a decimal comma or point."""
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    groups = re.split(r"[.,]", compact)
    if len(groups) > 1 and len(groups[-1]) != 3:
        # "0,25" or "1.5": the last separator is a decimal mark.
        integer, decimals = "".join(groups[:-1]), groups[-1]
        text = f"{integer}.{decimals}"
    elif len(groups) == 2 and scaled and groups[0] in {"0", "1", "2", "3", "4", "5"}:
        # "1,500 MSEK" is ambiguous; with a scale unit a comma reads as a decimal mark.
        text = f"{groups[0]}.{groups[1]}"
    else:
        text = "".join(groups)
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
