"""Readers for the reference data coordinators keep from chat: officials and meetings.

``handläggare lägg-till @vem kontaktperson "Namn" "Titel"`` and ``nämnd lägg-till DATUM
sista-dag DATUM`` become :class:`~samverkan.bot.commands.types.Officials` and
:class:`~samverkan.bot.commands.types.Calendar`; the same storage functions back
``samverkan officials`` and ``samverkan committee``.
"""

from __future__ import annotations

import re

from samverkan.bot.commands.specs import fold
from samverkan.bot.commands.types import Calendar, Command, Officials
from samverkan.bot.commands.values import BadText, key_values, read_assignee, read_date
from samverkan.rules.phases import Role

_ADD = ("lagg-till", "laggtill", "lagg", "add")
_CHANGE = ("andra", "change", "set")
_REMOVE = ("ta-bort", "tabort", "remove", "delete")
_LIST = ("lista", "list", "")

_ROLES = {"kontaktperson": Role.KONTAKTPERSON, "samordnare": Role.SAMORDNARE}
_QUOTED = re.compile(r'["“”„]([^"“”„]*)["“”]')
_ALLOWED = {"namn": "name", "name": "name", "titel": "title", "title": "title"}
_EMAIL_KEYS = ("epost", "e-post", "email", "mail")
_ROLE_KEYS = ("roll", "role")


def _action(word: str, allowed: tuple[tuple[str, ...], ...], what: str) -> str:
    key = fold(word)
    names = ("add", "change", "remove", "list")
    for name, words in zip(names, (_ADD, _CHANGE, _REMOVE, _LIST), strict=True):
        if key in words and words in allowed:
            return name
    raise BadText(f"Okänd åtgärd '{word}' ({what}).")


def _role(word: str) -> Role:
    role = _ROLES.get(fold(word))
    if role is None:
        raise BadText(f"Okänd roll '{word}' (kontaktperson eller samordnare).")
    return role


def read_officials(rest: str) -> Command:
    word, tail = (*rest.split(maxsplit=1), "", "")[:2]
    action = _action(word, (_ADD, _CHANGE, _REMOVE, _LIST), "lägg-till, ändra, ta-bort eller lista")
    if action == "list":
        return Officials("list")
    mention, after = (*tail.split(maxsplit=1), "", "")[:2]
    if not mention:
        raise BadText("Ange vem det gäller, t.ex. @karin eller karin.holm@malmo.se.")
    who = read_assignee(mention)
    if action == "remove":
        if after.strip():
            raise BadText("Skriv bara vem som ska tas bort, t.ex. handläggare ta-bort @karin.")
        return Officials("remove", who)
    fields = _fields(after)
    if action == "add" and fields.get("role") is None:
        raise BadText("Ange rollen: kontaktperson eller samordnare.")
    if action == "add" and not fields.get("name"):
        raise BadText('Ange namnet inom citattecken, t.ex. "Karin Holm".')
    if action == "change" and not any(v is not None for v in fields.values()):
        raise BadText('Ange vad som ska ändras: roll, "Namn", "Titel" eller epost=….')
    return Officials(action, who, **fields)  # type: ignore[arg-type]


def _fields(text: str) -> dict[str, object]:
    """``[roll] ["Namn"] ["Titel"] [namn=… titel=… epost=… roll=…]``."""
    lead, pairs = key_values(text)
    quoted = [q.strip() for q in _QUOTED.findall(lead)]
    lead = _QUOTED.sub(" ", lead)
    out: dict[str, object] = {"role": None, "name": None, "title": None, "email": None}
    for word in lead.split():
        if out["role"] is not None:
            raise BadText(f"Förstår inte '{word}'. Skriv namn och titel inom citattecken.")
        out["role"] = _role(word)
    if len(quoted) > 2:
        raise BadText('Ange högst två texter inom citattecken: "Namn" och "Titel".')
    for key, value in zip(("name", "title"), quoted, strict=False):
        out[key] = value
    for key, value in pairs:
        folded = fold(key)
        if folded in _ROLE_KEYS:
            out["role"] = _role(value)
        elif folded in _EMAIL_KEYS:
            if "@" not in value:
                raise BadText(f"'{value}' är ingen e-postadress.")
            out["email"] = read_assignee(value)
        elif folded in _ALLOWED:
            out[_ALLOWED[folded]] = value.strip('"“” ')
        else:
            raise BadText(f"Okänt fält '{key}' (namn=, titel=, epost=, roll=).")
    return out


_DEADLINE_WORDS = ("sista-dag", "sistadag", "sista", "deadline", "memo-deadline")


def read_calendar(rest: str) -> Command:
    word, tail = (*rest.split(maxsplit=1), "", "")[:2]
    action = _action(word, (_ADD, _REMOVE, _LIST), "lägg-till, ta-bort eller lista")
    words = tail.split()
    if action == "list":
        return Calendar("list")
    if not words:
        raise BadText("Ange sammanträdets datum, t.ex. 2027-02-23.")
    on = read_date(words[0])
    if action == "remove":
        if len(words) != 1:
            raise BadText("Skriv bara datumet, t.ex. nämnd ta-bort 2027-02-23.")
        return Calendar("remove", on)
    rest_words = [w for w in words[1:] if fold(w) not in _DEADLINE_WORDS and w != "dag"]
    if len(rest_words) != 1 or len(words) < 3:
        raise BadText(
            "Ange sista dag för tjänsteskrivelser, t.ex. nämnd lägg-till 2027-02-23 "
            "sista-dag 2027-02-02."
        )
    deadline = read_date(rest_words[0])
    if deadline > on:
        raise BadText(
            f"Sista dag för tjänsteskrivelser ({deadline:%Y-%m-%d}) ligger efter "
            f"sammanträdet {on:%Y-%m-%d}."
        )
    return Calendar("add", on, deadline)
