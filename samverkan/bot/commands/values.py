"""Readers for the values inside commands: references, dates, amounts, fields.

Each reader takes the words an official typed and returns the value, or raises
:class:`BadText` whose ``str()`` says in Swedish what is wrong. Slack's and Teams' mention
syntax never reaches here: the adapters turn mentions into plain ids first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from samverkan.bot.commands.specs import FIELD_HELP, fold
from samverkan.bot.commands.types import ApplicationEdit
from samverkan.intake.extraction.amounts import parse_amounts
from samverkan.intake.extraction.extract import normalise_phone
from samverkan.intake.extraction.lexicon import find_actors
from samverkan.intake.extraction.orgnr import find_orgnr
from samverkan.rules.model import ActorCategory, SupportForm
from samverkan.rules.phases import Phase


class BadText(Exception):
    """A wrong argument; ``str()`` says what is wrong, in Swedish."""


_REF = re.compile(r"^(?:SAM-?)?(\d{4})-(\d{1,6})$", re.IGNORECASE)


def read_ref(word: str | None) -> str:
    if not word:
        raise BadText("Ange ärendets referens, t.ex. SAM-2026-0001.")
    match = _REF.match(word.strip(".,;:"))
    if match is None:
        raise BadText(f"'{word}' är ingen ärendereferens (de ser ut som SAM-2026-0001).")
    return f"SAM-{match.group(1)}-{int(match.group(2)):04d}"


def split_ref(rest: str) -> tuple[str, str]:
    """The reference and the text after it."""
    words = rest.split(maxsplit=1)
    return read_ref(words[0] if words else None), words[1].strip() if len(words) > 1 else ""


def required(text: str, what: str) -> str:
    if not text.strip():
        raise BadText(f"Ange {what}.")
    return text.strip()


def read_phase(word: str) -> Phase | None:
    key = fold(word)
    for phase in Phase:
        if key in (phase.value, fold(phase.label)):
            return phase
    return None


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_USER_ID = re.compile(r"^[A-Za-z0-9._:-]+$")


def read_assignee(word: str) -> str:
    """An id (``@U123``, ``U123``, a Teams id) or an e-mail address, as the adapters write them."""
    word = word.strip().removeprefix("@")
    if _EMAIL.match(word):
        return word.lower()
    if word and _USER_ID.match(word):
        return word
    raise BadText(f"'{word}' är varken ett omnämnande (@namn) eller en e-postadress.")


def _int(value: str, what: str) -> int:
    digits = value.replace(" ", "").replace("\u00a0", "")
    if digits.isdigit():
        return int(digits)
    raise BadText(f"{what} ska vara ett heltal, inte '{value}'.")


def _amount(value: str) -> int:
    plain = re.sub(r"[\s\u00a0]", "", value)
    if plain.isdigit():
        return int(plain)
    found = parse_amounts(value)
    if len(found) == 1:
        return found[0][0]
    raise BadText(f"Förstår inte beloppet '{value}' (skriv t.ex. belopp=350000 eller 350 tkr).")


def read_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadText(f"'{value}' är inget giltigt datum (skriv ÅÅÅÅ-MM-DD).") from None


_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def read_time(value: str) -> time:
    match = _TIME.match(value.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadText(f"'{value}' är ingen giltig tid (skriv TT:MM, t.ex. 10:00).")
    return time(int(match.group(1)), int(match.group(2)))


_FORMS = {
    "finansiering": SupportForm.FINANSIERING,
    "pengar": SupportForm.FINANSIERING,
    "personal": SupportForm.PERSONAL,
    "processtod": SupportForm.PROCESSTOD,
    "ovrigt": SupportForm.OVRIGT,
    "annat": SupportForm.OVRIGT,
}


def _forms(value: str) -> tuple[SupportForm, ...]:
    out: list[SupportForm] = []
    for item in filter(None, (fold(v) for v in re.split(r"[,+/]|\boch\b", value))):
        form = _FORMS.get(item)
        if form is None:
            raise BadText(
                f"Okänd stödform '{item}'. Stödformer: finansiering, personal, processtöd, övrigt."
            )
        out.append(form)
    if not out:
        raise BadText("Ange minst en stödform.")
    return tuple(dict.fromkeys(out))


_ACTOR_WORDS = {
    "fastighetsagare": ActorCategory.FASTIGHETSAGARE,
    "naringsliv": ActorCategory.NARINGSLIV,
    "foretag": ActorCategory.NARINGSLIV,
    "civilsamhalle": ActorCategory.CIVILSAMHALLE,
    "forening": ActorCategory.CIVILSAMHALLE,
    "foreningar": ActorCategory.CIVILSAMHALLE,
    "boende": ActorCategory.BOENDE,
    "offentlig": ActorCategory.OFFENTLIG,
    "offentlig aktor": ActorCategory.OFFENTLIG,
}


def _actors(value: str) -> tuple[ActorCategory, ...]:
    out: list[ActorCategory] = []
    for item in filter(None, (v.strip() for v in re.split(r"[,+/]|\boch\b", value))):
        category = _ACTOR_WORDS.get(fold(item))
        if category is None:
            guessed = find_actors(item)
            if len(guessed) != 1:
                raise BadText(
                    f"Okänd aktörskategori '{item}'. Kategorier: fastighetsägare, näringsliv, "
                    "civilsamhälle, boende, offentlig."
                )
            category = guessed[0][0]
        out.append(category)
    return tuple(dict.fromkeys(out))


def _orgnr(value: str) -> str:
    number = find_orgnr(f"orgnr {value.strip()}")
    if number is None:
        raise BadText(f"'{value}' är inget organisationsnummer (skriv NNNNNN-NNNN).")
    if not number.valid:
        raise BadText(f"Organisationsnumret {number.formatted} har fel kontrollsiffra.")
    return number.formatted


def _months(value: str) -> int:
    match = re.match(r"^\s*(\d+)\s*(man|manad|manader|mån|månad|månader|ar|år)?\.?\s*$", value)
    if match is None:
        raise BadText(f"Förstår inte tidsramen '{value}' (skriv t.ex. månader=24).")
    unit = fold(match.group(2) or "man")
    return int(match.group(1)) * (12 if unit == "ar" else 1)


def _phone(value: str) -> str:
    phone = normalise_phone(value)
    if phone is None:
        raise BadText(f"'{value}' är inget svenskt telefonnummer.")
    return phone


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise BadText(f"'{value}' är ingen e-postadress.")
    return value.lower()


def read_text(value: str) -> str:
    return required(value, "en text")


# field key (folded) -> (attribute, converter)
_FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "titel": ("title", read_text),
    "title": ("title", read_text),
    "organisation": ("organisation", read_text),
    "org": ("organisation", read_text),
    "orgnr": ("orgnr", _orgnr),
    "organisationsnummer": ("orgnr", _orgnr),
    "kontakt": ("contact_name", read_text),
    "kontaktperson": ("contact_name", read_text),
    "contact": ("contact_name", read_text),
    "epost": ("email", _email),
    "e-post": ("email", _email),
    "email": ("email", _email),
    "mail": ("email", _email),
    "telefon": ("phone", _phone),
    "tel": ("phone", _phone),
    "phone": ("phone", _phone),
    "omrade": ("area", read_text),
    "area": ("area", read_text),
    "aktorer": ("actors", _actors),
    "actors": ("actors", _actors),
    "stodform": ("forms", _forms),
    "support": ("forms", _forms),
    "belopp": ("amount_sek", _amount),
    "amount": ("amount_sek", _amount),
    "timmar": ("hours", lambda v: _int(v, "Timmar")),
    "hours": ("hours", lambda v: _int(v, "Timmar")),
    "beskrivning": ("support_text", read_text),
    "start": ("start", read_date),
    "manader": ("duration_months", _months),
    "varaktighet": ("duration_months", _months),
    "tidsram": ("duration_months", _months),
    "syfte": ("purpose", read_text),
    "purpose": ("purpose", read_text),
    "mal": ("goals", read_text),
    "goals": ("goals", read_text),
    "egen_insats": ("own_contribution", read_text),
    "egeninsats": ("own_contribution", read_text),
    "insats": ("own_contribution", read_text),
}

_KEY = re.compile(r"(?:^|(?<=[\s;,]))([\wåäöÅÄÖ-]+)\s*=")


def key_values(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Free text before the first ``key=``, then each ``key=value`` (a value may hold spaces)."""
    matches = list(_KEY.finditer(text))
    if not matches:
        return text.strip(" ;"), []
    lead = text[: matches[0].start()].strip(" ;,")
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        pairs.append((match.group(1), text[match.end() : end].strip(" ;,")))
    return lead, pairs


def read_edit(pairs: list[tuple[str, str]]) -> ApplicationEdit:
    values: dict[str, object] = {}
    written: dict[str, str] = {}
    for key, raw in pairs:
        known = _FIELDS.get(fold(key))
        if known is None:
            raise BadText(f"Okänt fält '{key}'. Fält: {FIELD_HELP}.")
        attribute, convert = known
        values[attribute] = convert(raw)
        written[attribute] = raw
    return ApplicationEdit(**values, written=written)  # type: ignore[arg-type]
