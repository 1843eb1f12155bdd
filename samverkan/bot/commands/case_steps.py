"""Readers for the commands that take a case reference and change that case.

``assign``, ``request_info`` … ``close``: each takes the words after the command word and
returns the command, or raises :class:`~samverkan.bot.commands.values.BadText`.
"""

from __future__ import annotations

import re
from datetime import date

from samverkan.bot.commands.specs import fold
from samverkan.bot.commands.types import (
    ApplicationEdit,
    Approve,
    Assess,
    Assign,
    Close,
    Command,
    Decide,
    FollowUp,
    Meeting,
    Reject,
    RequestInfo,
    Withdraw,
)
from samverkan.bot.commands.values import (
    BadText,
    key_values,
    read_assignee,
    read_date,
    read_edit,
    read_time,
    required,
    split_ref,
)
from samverkan.rules.model import SupportForm, SupportRequest


def read_assign(rest: str) -> Command:
    ref, tail = split_ref(rest)
    return Assign(ref, read_assignee(required(tail, "vem som ska tilldelas, t.ex. @karin")))


def read_request_info(rest: str) -> Command:
    ref, tail = split_ref(rest)
    return RequestInfo(ref, tail.strip())  # without text: what the rules found missing


def read_meeting(rest: str) -> Command:
    ref, tail = split_ref(rest)
    words = [w for w in tail.split() if fold(w) not in ("kl", "kl.")]
    if len(words) != 2:
        raise BadText("Ange datum och tid för mötet, t.ex. 2026-03-10 10:00.")
    return Meeting(ref, read_date(words[0]), read_time(words[1]))


_OVERRIDE = re.compile(r"^(?:override|undantag|åsidosätt|asidosatt)\s*[:=]\s*", re.IGNORECASE)


def read_approve(rest: str) -> Command:
    ref, tail = split_ref(rest)
    if not tail:
        return Approve(ref)
    match = _OVERRIDE.match(tail)
    if match is None:
        raise BadText(
            "Skriv 'override: skäl' för att godkänna trots att kriterierna inte är uppfyllda."
        )
    return Approve(ref, required(tail[match.end() :], "ett skäl efter override:"))


def read_reject(rest: str) -> Command:
    ref, tail = split_ref(rest)
    return Reject(ref, required(tail, "ett skäl till avslaget"))


_GRANTED = frozenset({"beviljad", "beviljat", "beviljas", "bevilja", "bifall", "granted"})
_REFUSED = frozenset({"avslag", "avslagen", "avslaget", "avslas", "rejected", "denied"})
_PARAGRAPH = re.compile(r"(?:^|\s)(?:§|paragraf\s*=|paragraph\s*=)\s*(\d{1,4}\s?[a-z]?)\b", re.I)
_MEETING = re.compile(
    r"(?:^|\s)(?:sammantr[äa]de|sammantrade|m[öo]te|datum|meeting)\s*=\s*(\S+)", re.IGNORECASE
)
_NEED_PARAGRAPH = "Ange paragrafen i nämndens protokoll, t.ex. § 45."


def _minutes(text: str) -> tuple[str, str | None, date | None]:
    """The text without ``§ 45`` and ``sammanträde=ÅÅÅÅ-MM-DD``, and those two values."""
    paragraph = meeting = None
    if found := _PARAGRAPH.search(text):
        paragraph = found.group(1).replace(" ", "")
        text = text[: found.start()] + " " + text[found.end() :]
    if found := _MEETING.search(text):
        meeting = read_date(found.group(1))
        text = text[: found.start()] + " " + text[found.end() :]
    return " ".join(text.split()), paragraph, meeting


def read_decide(rest: str) -> Command:
    ref, tail = split_ref(rest)
    word, after = (*tail.split(maxsplit=1), "", "")[:2]
    outcome = fold(word)
    if outcome not in _GRANTED | _REFUSED:
        raise BadText("Ange beslutet: beviljad eller avslag.")
    after, paragraph, meeting = _minutes(after)
    if paragraph is None:
        raise BadText(_NEED_PARAGRAPH)
    if outcome in _REFUSED:
        reason = required(after, "nämndens skäl till avslaget (de står i brevet till sökande)")
        return Decide(ref, False, note=reason, meeting_on=meeting, paragraph=paragraph)
    note, pairs = key_values(after)
    allowed = {"forms", "amount_sek", "hours", "support_text"}
    edit = read_edit(pairs)
    if extra := set(edit.written) - allowed:
        raise BadText(
            "I ett beslut anges stödform=, belopp=, timmar=, beskrivning=, sammanträde= och §, "
            f"inte {', '.join(sorted(extra))}."
        )
    return Decide(
        ref, True, support=_support(edit), note=note, meeting_on=meeting, paragraph=paragraph
    )


def _support(edit: ApplicationEdit) -> tuple[SupportRequest, ...]:
    """The support granted; an amount alone means financing."""
    forms = edit.forms or ((SupportForm.FINANSIERING,) if edit.amount_sek is not None else ())
    if not forms:
        raise BadText("Ange vilket stöd som beviljades, t.ex. stödform=finansiering belopp=350000.")
    if SupportForm.FINANSIERING in forms and edit.amount_sek is None:
        raise BadText("Ange belopp=… för finansiering.")
    if edit.amount_sek is not None and SupportForm.FINANSIERING not in forms:
        raise BadText("Ett belopp hör till stödformen finansiering; lägg till den i stödform=.")
    return tuple(
        SupportRequest(
            form=form,
            amount_sek=edit.amount_sek if form is SupportForm.FINANSIERING else None,
            hours=edit.hours if form is SupportForm.PERSONAL else None,
            text=edit.support_text if form is SupportForm.OVRIGT else None,
        )
        for form in forms
    )


_KINDS = {
    "resultat": "resultat",
    "resultatmatning": "resultat",
    "result": "resultat",
    "effekt": "effekt",
    "effektmatning": "effekt",
    "effect": "effekt",
}


def read_follow_up(rest: str) -> Command:
    ref, tail = split_ref(rest)
    word, text = (*tail.split(maxsplit=1), "", "")[:2]
    kind = _KINDS.get(fold(word)) if word else None
    if kind is None:
        raise BadText("Ange resultat eller effekt och en text.")
    return FollowUp(ref, kind, required(text, "vad mätningen visade"))


def read_withdraw(rest: str) -> Command:
    ref, tail = split_ref(rest)
    return Withdraw(ref, required(tail, "varför ansökan återkallas"))


def read_assess(rest: str) -> Command:
    ref, tail = split_ref(rest)
    return Assess(ref, tail)


def read_close(rest: str) -> Command:
    ref, tail = split_ref(rest)
    return Close(ref, tail)
