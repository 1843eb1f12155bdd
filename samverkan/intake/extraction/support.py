"""What support an application asks for: money, staff time, process support, other (pure).

An amount counts as the ask when it stands near an ask or a funding word, and not when it is
the actors' own share or the project's total; staff time and process support count only when
the piece asks for them rather than describing the actors' own work.
"""

from __future__ import annotations

import re

from samverkan.intake.extraction.amounts import parse_amounts
from samverkan.intake.extraction.form import Field
from samverkan.intake.extraction.lexicon import (
    ASK,
    FINANCE_CUE,
    GOALS_CUE,
    OTHER_CUE,
    OUR_STAFF,
    OWN_CUE,
    PERSONAL_CUE,
    PROCESS_CUE,
    TOTAL_CUE,
)
from samverkan.intake.extraction.text import either
from samverkan.rules.model import SupportForm, SupportRequest

__all__ = ["is_own", "support_requests"]

_HOURS = re.compile(r"(?<![\d,.])(?P<n>\d{1,3}(?:[ \u00a0]\d{3})?|\d+)\s*(?:timmar|tim|h)\b")


def is_own(sentence: str) -> bool:
    """The sentence is about the actors' own contribution, not what they ask for."""
    return OWN_CUE.search(sentence) is not None


# "Vi söker totalt 2 miljoner", "we ask for a total of": the ask, summed, is still the ask.
_ASKED_IN_TOTAL = either(
    r"\b(?:söker|ansöker om|ask for|apply for|request)\s+(?:\w+\s+)?"
    r"(?:totalt|sammanlagt|sammantaget|a total of|in total)\b"
    r"|\b(?:totalt|sammanlagt) (?:söker|ansöker) (?:vi|ni)\b"
)


def _requested_amount(sentences: list[str]) -> tuple[int, str, bool] | None:
    """The amount asked for: near an ask or a funding word, not an own share or a total;
    the flag says it was only in a sentence that asks, not next to the ask (a weak reading)."""
    fallback: tuple[int, str, bool] | None = None
    for sentence in sentences:
        # Whole-sentence cues are read once per sentence, not once per amount in it: a
        # sentence of thousands of amounts would otherwise take quadratic time.
        plain_ask: bool | None = None
        previous_end = 0
        for amount, words in parse_amounts(sentence):
            at = sentence.find(words, previous_end)
            window = sentence[max(previous_end, at - 50) : at]
            previous_end = at + len(words)
            if OWN_CUE.search(window):
                continue
            if TOTAL_CUE.search(window) and not _ASKED_IN_TOTAL.search(window):
                continue
            if ASK.search(window) or FINANCE_CUE.search(window):
                return amount, sentence, False
            if fallback is None:
                if plain_ask is None:
                    plain_ask = _plain_ask(sentence)
                if plain_ask:
                    fallback = amount, sentence, True
    return fallback


def _plain_ask(sentence: str) -> bool:
    """An ask that is not about the actors' own share nor a project total."""
    plain = not is_own(sentence) and not TOTAL_CUE.search(sentence)
    return plain and bool(ASK.search(sentence) or FINANCE_CUE.search(sentence))


def support_requests(
    fields: dict[str, Field], sentences: list[str]
) -> tuple[list[SupportRequest], str, bool]:
    """The support forms asked for, with the words each was read from joined by " | ", and
    whether the amount was a weak reading (an ask in the sentence, but not next to it)."""
    evidence: list[str] = []
    asked = [s for s in sentences if not is_own(s)]
    field_text = fields["support"].value if "support" in fields else ""
    if field_text:
        asked = [field_text, *asked]
    amount = None
    if "amount" in fields:
        amount = _field_amount(fields["amount"].value)
        evidence.append(fields["amount"].line)
    elif field_text and (in_field := parse_amounts(field_text)):
        amount = in_field[0][0]
        evidence.append(fields["support"].line)
    found = _requested_amount(asked) if amount is None else None
    if found is not None:
        amount, sentence, _ = found
        evidence.append(sentence)
    requests: list[SupportRequest] = []
    finance = next((s for s in asked if FINANCE_CUE.search(s)), None)
    if amount is not None or finance:
        requests.append(SupportRequest(SupportForm.FINANSIERING, amount_sek=amount))
        if finance and finance not in evidence:
            evidence.append(finance)
    staff = next(
        (s for s in asked if PERSONAL_CUE.search(s) and not OUR_STAFF.search(s) and _wants(s)),
        None,
    )
    if staff:
        hours = _HOURS.search(staff)
        count = int(re.sub(r"\D", "", hours.group("n"))) if hours else None
        requests.append(SupportRequest(SupportForm.PERSONAL, hours=count))
        evidence.append(staff)
    process = next(
        (s for s in asked if PROCESS_CUE.search(s) and (_STRONG_PROCESS.search(s) or _wants(s))),
        None,
    )
    if process:
        requests.append(SupportRequest(SupportForm.PROCESSTOD))
        evidence.append(process)
    other = next(
        (
            s
            for s in asked
            if OTHER_CUE.search(s)
            and ASK.search(s)
            and not (FINANCE_CUE.search(s) or PERSONAL_CUE.search(s) or PROCESS_CUE.search(s))
        ),
        None,
    )
    if other:
        requests.append(SupportRequest(SupportForm.OVRIGT, text=other[:300]))
        evidence.append(other)
    return requests, " | ".join(dict.fromkeys(evidence)), bool(found and found[2])


_STRONG_PROCESS = either(
    r"\b(?:processtöd\w*|processledning|processledare|process support|facilitering|facilitation)"
)
_FROM_CITY = either(r"\b(?:från|av|ur) (?:staden|kommunen|er)\b|\bfrom the city\b")


def _wants(piece: str) -> bool:
    """The piece asks for something (staff time or process support) rather than describing."""
    return bool(ASK.search(piece) or _FROM_CITY.search(piece)) and not GOALS_CUE.search(piece)


def _field_amount(value: str) -> int | None:
    amounts = parse_amounts(value)
    if amounts:
        return amounts[0][0]
    bare = re.fullmatch(r"\s*(\d{1,3}(?:[ \u00a0.]\d{3})+|\d+)\s*", value)
    return int(re.sub(r"\D", "", bare.group(1))) if bare else None
