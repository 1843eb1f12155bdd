"""From the text of an application to a structured :class:`Application` (pure, no I/O).

Actors write in two styles: a form ("Organisation: …", "Syfte: …") copied from the city's web
page, and free prose. Form fields are read first because they say exactly what a value is;
prose fills what the form left out, through cue words. Every value keeps the words it came
from in ``evidence``. A value that cannot be found stays None: an official would rather ask
the actor than act on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from samverkan.intake.extraction.actors import actors_taking_part
from samverkan.intake.extraction.dates import (
    first_date,
    parse_duration,
    parse_season_start,
    parse_start,
)
from samverkan.intake.extraction.form import Field, form_fields
from samverkan.intake.extraction.lexicon import (
    GOALS_CUE,
    OWN_CUE,
    PURPOSE_CUE,
    PURPOSE_WORD,
)
from samverkan.intake.extraction.organisation import looks_like_org, organisation
from samverkan.intake.extraction.orgnr import find_orgnr
from samverkan.intake.extraction.provenance import provenance_of
from samverkan.intake.extraction.support import support_requests
from samverkan.intake.extraction.text import either, pieces
from samverkan.intake.reading.quoting import strip_subject_prefixes
from samverkan.rules.gazetteer import Gazetteer
from samverkan.rules.model import ActorCategory, Application

__all__ = ["extract", "normalise_phone", "person_in_signature"]

# ---- form fields -----------------------------------------------------------------------------

_Field = Field
_form_fields = form_fields


# ---- sentences and cue words ---------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_GREETING = re.compile(
    r"^(?:hej|hejsan|god dag|tjena|hello|hi|dear|med vänlig|vänliga|mvh|hälsningar|tack|"
    r"best regards|kind regards)\b",
    re.IGNORECASE,
)
_OPENING = re.compile(r"^(?:hej|hejsan|hallå|god dag|hello|hi)\b[\s!,.]*", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    out = []
    for part in pieces(text):
        sentence = _OPENING.sub("", part)
        if len(sentence) >= 12 and not _GREETING.match(sentence):
            out.append(sentence)
    return out


def _cued(sentences: Iterable[str], cue: re.Pattern[str], *, limit: int = 3) -> str | None:
    picked = [s for s in sentences if cue.search(s)][:limit]
    return " ".join(picked) if picked else None


# ---- people, addresses, organisations -------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ ]?46[ \u00a0-]*(?:\(0\)[ \u00a0-]*)?|\(?0)"
    r"(?P<rest>[1-9]\d{0,3}\)?(?:[ \u00a0-]?\d){5,8})(?![\d-])"
)
_PHONE_LABEL = re.compile(r"\b(?:tel|telefon|tfn|mobil|mob|phone|ring)\b\.?:?\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_NAME = re.compile(
    r"^[A-ZÅÄÖÉ][a-zåäöéüè]+(?:-[A-ZÅÄÖ][a-zåäö]+)?(?: [A-ZÅÄÖÉ][a-zåäöéüè'-]+){1,2}$"
)
_CLOSING = either(
    r"^(?:med vänlig\w* hälsning\w*|vänliga hälsningar|vänlig hälsning|mvh|m\.v\.h\.?|"
    r"hälsningar|hälsning|bästa hälsningar|varma hälsningar|allt gott|tack på förhand|tack|"
    r"best regards|kind regards|warm regards|regards|best wishes|best|cheers|thanks|"
    r"sincerely|yours sincerely|/)[\s,!.:/-]*",
)
# A word that is never part of a person's name in a signature ("Sara Lind Ordförande").
_NOT_IN_NAME = either(
    r"\b(?:hälsning\w*|mvh|regards|tack|thanks|skickat|sent|ordförande|kassör|sekreterare|"
    r"verksamhetsledare|projektledare|samordnare|förvaltare|chef|styrelse\w*|manager|chair\w*|"
    r"director|ceo|cfo|vd|telefon|tel|mobil|phone|iphone|android|e-post|epost|mail)\b"
)
_CONTACT_PROSE = re.compile(
    r"\b(?i:kontaktperson(?: för ansökan)?(?: är|:)|contact person(?: is|:))\s+"
    r"(?P<name>[A-ZÅÄÖ][a-zåäöé]+(?: [A-ZÅÄÖ][a-zåäöé'-]+){1,2})(?P<rest>[^\n]*)"
)


def normalise_phone(text: str) -> str | None:
    """A Swedish phone number as E.164 (``+46701234567``), or None when it is not one."""
    match = _PHONE.search(text)
    return _e164(match) if match else None


def _e164(match: re.Match[str]) -> str | None:
    digits = re.sub(r"\D", "", match.group("rest"))
    return f"+46{digits}" if 7 <= len(digits) <= 9 else None


def _find_phone(text: str) -> tuple[str, str] | None:
    first: tuple[str, str] | None = None
    for match in _PHONE.finditer(text):
        number = _e164(match)
        if number is None:
            continue
        if _PHONE_LABEL.search(text[max(0, match.start() - 12) : match.start()]):
            return number, match.group(0)
        first = first or (number, match.group(0))
    return first


_HONORIFIC = re.compile(r"^(?:dr|prof|fil\.?\s?dr|docent|mr|mrs|ms)\.?\s+(?=[A-ZÅÄÖ])", re.I)


def _as_person(line: str) -> str | None:
    """The name in a signature line ("Mvh Sofia Lind", "Birgit Lönn, ordförande")."""
    line = re.split(r"[,|–]| - ", _CLOSING.sub("", line.strip()))[0].strip()
    line = _HONORIFIC.sub("", line)  # "Dr. Jonas Wiik" is Jonas Wiik
    if not _NAME.match(line) or looks_like_org(line) or _NOT_IN_NAME.search(line):
        return None
    return line


def _signature_name(signature: str, text: str, org: str | None) -> tuple[str, str] | None:
    """A person's name at the end of a letter: in the signature, after the closing, or in
    the last short paragraph."""
    candidates = [line for line in signature.splitlines() if line.strip()]
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if _CLOSING.match(line.strip()):
            candidates += lines[i : i + 4]
    last_paragraph = text.rstrip().rsplit("\n\n", 1)[-1].splitlines()
    if len(last_paragraph) <= 5:
        candidates += last_paragraph
    for line in candidates:
        name = _as_person(line)
        if name and name != org:
            return name, line.strip()
    return None


def person_in_signature(signature: str, text: str) -> str | None:
    """The person who signed a text (its signature block or its last lines), if any."""
    found = _signature_name(signature, text, None)
    return found[0] if found else None


def _person_from_display(name: str | None, addr: str | None) -> str | None:
    """The sender's display name when it is a person's: one of its words is in the address.

    "Anna Lindqvist <anna.lindqvist@…>" is a person; "Möllans Nattliv <styrelsen@…>" is not,
    although both are two capitalised words.
    """
    if not name or not addr:
        return None
    name = name.strip().strip("\"'")
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    local = _fold(addr.split("@")[0])
    if not _NAME.match(name) or looks_like_org(name):
        return None
    return name if any(len(w) >= 3 and _fold(w) in local for w in name.split()) else None


def _fold(text: str) -> str:
    return text.lower().translate(str.maketrans("åäöéüè", "aaoeue"))


# ---- title ------------------------------------------------------------------------------------

_CASE_REF = re.compile(r"\[?\bSAM-\d{4}-\d{4}\b\]?")
_SUBJECT_NOISE = re.compile(
    r"^(?:(?:ansökan|ansökning|application|intresseanmälan)(?:\s+(?:om|for))?"
    r"(?:\s+(?:samverkansstöd|samverkan|stöd|collaboration support|support))?|samverkansstöd)"
    r"\s*(?:[:\-–—]\s*|(?:för|till|gällande|avseende|i|på)\s+)?",
    re.IGNORECASE,
)


def _title(subject: str, fields: dict[str, _Field], area_name: str | None) -> str | None:
    if "title" in fields:
        return fields["title"].value.splitlines()[0].strip()[:120]
    rest = _CASE_REF.sub("", strip_subject_prefixes(subject or "")).strip(" -–:")
    rest = _SUBJECT_NOISE.sub("", rest, count=1).strip(" -–:.")
    if len(rest) >= 4:
        return (rest[0].upper() + rest[1:])[:120]
    return f"Samverkan i {area_name}" if area_name else None


# ---- the whole application ----------------------------------------------------------------


def extract(
    text: str,
    *,
    subject: str = "",
    sender_name: str | None = None,
    sender_addr: str | None = None,
    signature: str = "",
    gazetteer: Gazetteer | None = None,
    written: date | None = None,
) -> Application:
    """Read one application's text (and its headers) into an :class:`Application`.

    ``written`` is the day the mail was written (its Date header): a start without a year
    ("start i mars") is the next such date from then.
    """
    gaz = gazetteer or Gazetteer.bundled()
    fields = _form_fields(text)
    sentences = _sentences(text)
    evidence: dict[str, str] = {}
    values: dict[str, Any] = {}

    def put(name: str, value: Any, words: str) -> None:
        values[name] = value
        evidence[name] = words.strip()[:500]

    org = organisation(fields, text, signature, sender_name)
    if org:
        put("organisation", *org)

    number = find_orgnr(fields["orgnr"].line) if "orgnr" in fields else None
    number = number or find_orgnr(text) or find_orgnr(signature)
    if number:
        put("orgnr", number.formatted, number.words)
        put("orgnr_valid", number.valid, number.words)

    _contact_fields(fields, text, signature, (sender_name, sender_addr), org and org[0], put)
    # The applicant's name often holds a place ("Fastighetsägare i Sofielund"); the area
    # applied for is what the text says besides the name.
    unnamed = text
    for name in (org and org[0], values.get("contact_name"), sender_name):
        if name:
            unnamed = unnamed.replace(name, " " * len(name))
    area_name = _area_fields(fields, unnamed, subject, gaz, put)
    _actor_fields(sentences, fields, values.get("organisation"), put)

    requests, support_words, weak_amount = support_requests(fields, sentences)
    if requests:
        put("support", tuple(requests), support_words)

    _time_fields(fields, text, put, written)
    _prose_fields(fields, sentences, put)

    title = _title(subject, fields, area_name)
    if title:
        put("title", title, subject or title)
    weak = frozenset({"support"} if weak_amount else ())
    found = provenance_of(
        values, evidence, fields, signature=signature, subject=subject, guessed=weak
    )
    return Application(**values, evidence=evidence, provenance=found)


_Put = Callable[[str, Any, str], None]


def _contact_fields(
    fields: dict[str, _Field],
    text: str,
    signature: str,
    sender: tuple[str | None, str | None],
    org: str | None,
    put: _Put,
) -> None:
    sender_name, sender_addr = sender
    name: tuple[str, str] | None = None
    # An address written next to the contact person's name is that person's address.
    field_mail = _EMAIL.search(fields["email"].value) if "email" in fields else None
    mail_line = fields["email"].line if field_mail and "email" in fields else ""
    if "contact_name" in fields:
        value = fields["contact_name"].value.splitlines()[0]
        value = _EMAIL.sub("", value).split(",")[0].strip(" ,;-–")
        if value:
            name = value, fields["contact_name"].line
    prose = _CONTACT_PROSE.search(text) if name is None else None
    if prose:
        name = prose.group("name"), prose.group(0)
        if field_mail is None and (field_mail := _EMAIL.search(prose.group("rest"))):
            mail_line = prose.group(0)
    name = name or _signature_name(signature, text, org)
    if name is None and (display := _person_from_display(sender_name, sender_addr)):
        name = display, f"Från: {sender_name}"
    if name:
        put("contact_name", *name)

    if field_mail:
        put("email", field_mail.group(0).lower(), mail_line)
    elif sender_addr and not re.match(r"(?:no-?reply|do-?not-?reply|mailer-daemon)", sender_addr):
        put("email", sender_addr.lower(), f"Från: {sender_addr}")
    elif mail := _EMAIL.search(signature) or _EMAIL.search(text):
        put("email", mail.group(0).lower(), mail.group(0))

    phone = _find_phone(fields["phone"].value) if "phone" in fields else None
    phone = phone or _find_phone(signature) or _find_phone(text)
    if phone:
        put("phone", *phone)


def _area_fields(
    fields: dict[str, _Field], text: str, subject: str, gaz: Gazetteer, put: _Put
) -> str | None:
    if "area" in fields:
        value = fields["area"].value.splitlines()[0].strip()
        area = gaz.resolve(value)
        if area is None:
            found, words = gaz.find(value)
            area = found
        if area is not None:
            put("area", area, fields["area"].line)
            put("area_text", value, fields["area"].line)
            return area.name
        put("area_text", value, fields["area"].line)
        return None
    for source in (text, subject):
        area, words = gaz.find(source)
        if area is not None and words:
            put("area", area, words)
            put("area_text", words, words)
            return area.name
        if words:
            put("area_text", words, words)
            return None
    return None


def _actor_fields(
    sentences: list[str], fields: dict[str, Field], organisation: Any, put: _Put
) -> None:
    field = fields["actors"].value if "actors" in fields else None
    org = organisation if isinstance(organisation, str) else None
    found = actors_taking_part(sentences, field, org)
    if found:
        ordered = [c for c in ActorCategory if c in found]
        put("actors", tuple(ordered), ", ".join(found[c] for c in ordered))


def _time_fields(
    fields: dict[str, _Field], text: str, put: _Put, written: date | None = None
) -> None:
    duration = None
    if "duration" in fields:
        duration = parse_duration(fields["duration"].value, cued=False)
    duration = duration or parse_duration(text)
    if duration:
        put("duration_months", *duration)
    start = None
    if "start" in fields:
        start = parse_start("start " + fields["start"].value, today=written)
    if start is None and "duration" in fields:
        start = parse_start(fields["duration"].value, today=written)
    start = start or parse_start(text) or parse_season_start(text)
    start = start or (parse_start(text, today=written) if written else None)
    if start is None and "duration" in fields:
        # "Tid: … festivalen hålls 12–13 juni 2026": a date in the time field is its start.
        start = first_date(fields["duration"].value)
    if start:
        put("start", *start)


def _prose_fields(fields: dict[str, _Field], sentences: list[str], put: _Put) -> None:
    cues = {"purpose": PURPOSE_CUE, "goals": GOALS_CUE, "own_contribution": OWN_CUE}
    for name, cue in cues.items():
        if name in fields:
            value = _SPACE.sub(" ", fields[name].value)
            # "Egen insats: 25 000 kr" says more with its label than "25 000 kr" alone.
            short = len(value) < 20 and fields[name].line.endswith(value)
            put(name, fields[name].line if short else value, fields[name].line)
            continue
        pool = sentences
        if name == "purpose":
            # A goal sentence often names the problem too; keep it out of the purpose.
            pool = [s for s in sentences if not GOALS_CUE.search(s) or PURPOSE_WORD.search(s)]
        found = _cued(pool, cue)
        if found:
            put(name, found, found)
