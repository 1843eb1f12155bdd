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
from dataclasses import dataclass
from typing import Any

from samverkan.intake.amounts import parse_amounts
from samverkan.intake.dates import parse_duration, parse_start
from samverkan.intake.lexicon import find_actors
from samverkan.intake.orgnr import find_orgnr
from samverkan.intake.quoting import strip_subject_prefixes
from samverkan.rules.gazetteer import Gazetteer
from samverkan.rules.model import ActorCategory, Application, SupportForm, SupportRequest

__all__ = ["extract", "normalise_phone"]

# ---- form fields -----------------------------------------------------------------------------

_LABELS: dict[str, tuple[str, ...]] = {
    "organisation": (
        "organisation", "organisationens namn", "namn på organisation", "namn på organisationen",
        "förening", "föreningens namn", "sökande", "sökande organisation", "företag",
        "företagets namn", "organisation/förening", "förening/organisation", "applicant",
        "organisation name", "organization", "sökande part",
    ),
    "orgnr": ("organisationsnummer", "org.nr", "orgnr", "org nr", "org. nr", "org.nummer"),
    "contact_name": (
        "kontaktperson", "kontakt", "namn", "contact", "contact person", "ansvarig",
        "ansvarig person", "kontaktpersonens namn", "name", "ditt namn",
    ),
    "email": ("e-post", "epost", "e-mail", "email", "mail", "mejl", "e-postadress", "mejladress"),
    "phone": ("telefon", "tel", "tfn", "mobil", "telefonnummer", "mobilnummer", "phone", "tel.nr"),
    "area": (
        "område", "geografiskt område", "plats", "stadsdel", "area", "delområde",
        "geografisk avgränsning", "avgränsning", "området", "location", "vilket område",
    ),
    "actors": (
        "aktörer", "medverkande aktörer", "samverkanspartners", "parter", "partners",
        "deltagande aktörer", "samverkande aktörer", "medverkande", "actors",
    ),
    "support": (
        "stödform", "typ av stöd", "sökt stöd", "vi söker", "önskat stöd", "stöd", "stödformer",
        "vilket stöd söker ni", "support", "support requested",
    ),
    "amount": ("belopp", "sökt belopp", "summa", "ansökt belopp", "amount", "sökt bidrag"),
    "duration": (
        "tidsperiod", "period", "projekttid", "tidsram", "varaktighet", "löptid", "tid",
        "projektperiod", "duration", "time frame",
    ),
    "start": ("start", "startdatum", "projektstart", "start datum", "planerad start", "start date"),
    "purpose": (
        "syfte", "utmaningar", "bakgrund", "beskrivning", "utmaningar och utvecklingspotential",
        "lokala utmaningar", "behov", "problem", "syfte och bakgrund", "bakgrund och syfte",
        "beskrivning av området", "purpose", "background", "challenges", "utvecklingspotential",
    ),
    "goals": (
        "mål", "förväntade resultat", "förväntade effekter", "effektmål", "resultat",
        "målsättning", "mål och förväntade resultat", "goals", "expected results",
        "förväntat resultat",
    ),
    "own_contribution": (
        "egen insats", "egna insatser", "vi bidrar med", "medfinansiering", "egen finansiering",
        "own contribution", "egen insats/medfinansiering", "vår insats",
    ),
    "title": ("projektnamn", "projekttitel", "rubrik", "namn på projektet", "titel", "project"),
}  # fmt: skip
_LABEL_TO_FIELD = {label: name for name, labels in _LABELS.items() for label in labels}
_LABEL_LINE = re.compile(
    r"^[ \t]*(?:[-*•][ \t]*)?(?P<label>[^:\n]{2,45}?)[ \t]*:[ \t]*(?P<value>.*)$"
)
_LABEL_NOISE = re.compile(r"\s*\([^)]*\)|[*_]")


@dataclass(frozen=True)
class _Field:
    value: str
    line: str


def _form_fields(text: str) -> dict[str, _Field]:
    """Fields of a "Label: value" form; a value may continue on the lines below its label."""
    fields: dict[str, _Field] = {}
    current: str | None = None
    lines: list[str] = []
    label_line = ""

    def close() -> None:
        if current and current not in fields:
            value = "\n".join(lines).strip()
            if value:
                fields[current] = _Field(value, label_line.strip())

    for raw in text.splitlines():
        match = _LABEL_LINE.match(raw)
        name = _LABEL_TO_FIELD.get(_label_key(match.group("label"))) if match else None
        if match and name:
            close()
            current, label_line, lines = name, raw, [match.group("value")]
        elif current and raw.strip():
            lines.append(raw.strip())
        elif current and any(line.strip() for line in lines):
            close()
            current = None
    close()
    return fields


def _label_key(label: str) -> str:
    return re.sub(r"\s+", " ", _LABEL_NOISE.sub("", label)).strip().lower().rstrip("?.")


# ---- sentences and cue words ---------------------------------------------------------------

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"'–-])|\n[ \t]*\n|\n(?=[ \t]*[-•*][ \t])")
_SPACE = re.compile(r"\s+")
_GREETING = re.compile(
    r"^(?:hej|hejsan|god dag|tjena|hello|hi|dear|med vänlig|vänliga|mvh|hälsningar|tack|"
    r"best regards|kind regards)\b",
    re.IGNORECASE,
)
_PURPOSE_CUE = re.compile(
    r"\b(?:syfte\w*|utmaning\w*|problem\w*|otrygg\w*|nedskräp\w*|skadegörelse|"
    r"utvecklingspotential|behov\w*|brist\w*|förfall\w*|tomma lokaler|vakan\w*|kriminalitet|"
    r"vill utveckla|challenges?|purpose)\b",
    re.IGNORECASE,
)
_GOALS_CUE = re.compile(
    r"\b(?:mål|målet|målen|målsättning\w*|effektmål\w*|förväntad\w* (?:resultat|effekt\w*)|"
    r"resultat(?:et|en)?|effekt(?:en|er|erna)?|uppnå|ska leda till|mätbar\w*|indikator\w*|"
    r"goals?|expected results?|outcomes?)\b",
    re.IGNORECASE,
)
_OWN_CUE = re.compile(
    r"(?<!staden )(?<!kommunen )(?<!ni )\b(?:egen insats\w*|egna insats\w*|vi bidrar|bidrar vi|"
    r"bidrar med|bidra med|medfinansierar|ideell tid|ideella timmar|ideellt arbete|vi står för|"
    r"står vi för|egen finansiering|egna medel|egen medfinansiering|vårt bidrag|vår insats|"
    r"in kind|own contribution|we contribute|we will contribute)\b",
    re.IGNORECASE,
)
_ASK = re.compile(
    r"\b(?:söker|ansöker|önskar|begär|behöver|ber om|ber er om|vill ha|skulle behöva|"
    r"apply|applying|request|asking)\b",
    re.IGNORECASE,
)
_FINANCE_CUE = re.compile(
    r"\b(?:finansiering|bidrag(?:et)?|ekonomiskt stöd|medfinansiering|belopp(?:et)?|"
    r"pengar|funding|grant)\b",
    re.IGNORECASE,
)
_TOTAL_CUE = re.compile(
    r"\b(?:total\w*|budget\w*|omslutning|omsättning|totalkostnad\w*|kostar|kostnad)\b",
    re.IGNORECASE,
)
_PERSONAL_CUE = re.compile(
    r"\b(?:personal(?:stöd|resurs\w*)?|tjänsteperson\w*|timmar|arbetstid|handläggar\w*|"
    r"medarbetare från|person från (?:staden|kommunen)|staff)\b",
    re.IGNORECASE,
)
_OUR_STAFF = re.compile(r"\b(?:vår|våra|egen|egna)\s+(?:personal|anställda)\b", re.IGNORECASE)
_HOURS = re.compile(r"(?<![\d,.])(?P<n>\d{1,3}(?:[ \u00a0]\d{3})?|\d+)\s*(?:timmar|tim|h)\b")
_PROCESS_CUE = re.compile(
    r"\b(?:processtöd\w*|processledning|processledare|facilitering|facilitator\w*|workshop\w*|"
    r"analys\w*|kartläggning\w*|stöd i processen|dialogmöte\w*|process support)\b",
    re.IGNORECASE,
)
_OTHER_CUE = re.compile(
    r"\b(?:hjälp med|tillgång till|låna|lån av|tillstånd|upplåtelse|stöd med)\b", re.IGNORECASE
)


def _sentences(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    out = []
    for part in _SENTENCE_SPLIT.split("\n".join(lines)):
        sentence = _SPACE.sub(" ", part).strip()
        if len(sentence) >= 12 and not _GREETING.match(sentence):
            out.append(sentence)
    return out


def _is_own(sentence: str) -> bool:
    return _OWN_CUE.search(sentence) is not None


def _cued(sentences: Iterable[str], cue: re.Pattern[str], *, limit: int = 3) -> str | None:
    picked = [s for s in sentences if cue.search(s)][:limit]
    return " ".join(picked) if picked else None


# ---- people, addresses, organisations -------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ ]?46[ \u00a0-]*(?:\(0\)[ \u00a0-]*)?|\(?0)"
    r"(?P<rest>[1-9]\d{0,3}\)?(?:[ \u00a0-]?\d){5,8})(?![\d-])"
)
_PHONE_LABEL = re.compile(r"\b(?:tel|telefon|tfn|mobil|mob|phone|ring)\b\.?:?\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME = re.compile(
    r"^[A-ZÅÄÖÉ][a-zåäöéüè]+(?:-[A-ZÅÄÖ][a-zåäö]+)?(?: [A-ZÅÄÖÉ][a-zåäöéüè'-]+){1,2}$"
)
_CLOSING = re.compile(
    r"^(?:med vänlig\w* hälsning\w*|vänliga hälsningar|vänlig hälsning|mvh|hälsningar|"
    r"bästa hälsningar|best regards|kind regards|regards|/)\W*$",
    re.IGNORECASE,
)
_CONTACT_PROSE = re.compile(
    r"\b(?:kontaktperson(?: för ansökan)? är|kontakta|contact person is)\s+"
    r"(?P<name>[A-ZÅÄÖ][a-zåäöé]+(?: [A-ZÅÄÖ][a-zåäöé'-]+){1,2})"
)
_ORG_SUFFIX = (
    r"(?:AB|HB|KB|ek\.\s?för\.?|ekonomisk förening|ideell förening|[Ff]örening(?:en)?|BID|"
    r"[Ss]tiftelse(?:n)?)"
)
_ORG_LINE = re.compile(
    rf"^(?P<org>(?:Brf|BRF|Föreningen|Stiftelsen|BID|Ideella föreningen)\s+[^\n,;:]{{2,60}}"
    rf"|[A-ZÅÄÖ][^\n,;:@]{{1,60}}?\s{_ORG_SUFFIX}"
    r"|[A-ZÅÄÖ]\w*(?:förening|föreningen|förbund|förbundet)(?:\s+[A-ZÅÄÖ][\w-]+){0,4})\s*\.?$",
    re.MULTILINE,
)
_ORG_PROSE = (
    re.compile(
        r"\b[Vv]i (?:är|representerar) (?P<org>[A-ZÅÄÖ][\w&.'\- ]{1,60}?)"
        r"(?:,| –| -| som | och | i | på |\.|$)",
        re.MULTILINE,
    ),
    re.compile(
        r"(?:^|\.\s+)(?P<org>[A-ZÅÄÖ][\w&.'\- ]{1,60}?) är en (?:ideell|ekonomisk|lokal)\b",
        re.MULTILINE,
    ),
    re.compile(
        r"\b[Aa]nsökan från (?P<org>[A-ZÅÄÖ][\w&.'\- ]{1,60}?)(?:,|\.|$| om )", re.MULTILINE
    ),
)
_NOT_ORG = re.compile(
    r"^(?:Malmö stad|Malmö kommun|Tekniska nämnden|Fastighets- och gatukontoret)\b"
)
_SIGNATURE_JUNK = re.compile(r"@|https?://|www\.|\d{3}")


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


def _signature_name(signature: str, text: str) -> tuple[str, str] | None:
    """A person's name at the end of a letter: in the signature, or after the closing."""
    candidates = [line.strip() for line in signature.splitlines()]
    lines = [line.strip() for line in text.splitlines()]
    for i, line in enumerate(lines):
        if _CLOSING.match(line):
            candidates = [*candidates, *lines[i + 1 : i + 4]]
    for line in candidates:
        if _NAME.match(line) and not _ORG_LINE.match(line):
            return line, line
    return None


def _person_from_display(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'")
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return name if _NAME.match(name) and not _ORG_LINE.match(name) else None


def _clean_org(value: str) -> str | None:
    org = _SPACE.sub(" ", value).strip(" ,;:-–\"'")
    if not org or len(org) > 80 or _NOT_ORG.match(org) or _EMAIL.search(org):
        return None
    return org


def _organisation(
    fields: dict[str, _Field], text: str, signature: str, sender_name: str | None
) -> tuple[str, str] | None:
    if "organisation" in fields:
        org = _clean_org(fields["organisation"].value.splitlines()[0])
        if org:
            return org, fields["organisation"].line
    for pattern in _ORG_PROSE:
        for match in pattern.finditer(text):
            org = _clean_org(match.group("org"))
            if org and not _GREETING.match(org) and org.split()[0] not in {"En", "Ett", "Vi"}:
                return org, match.group(0).strip()
    for source in (signature, text):
        for match in _ORG_LINE.finditer(source):
            org = _clean_org(match.group("org"))
            if org and not _SIGNATURE_JUNK.search(org):
                return org, match.group(0).strip()
    if sender_name and _ORG_LINE.match(sender_name.strip()):
        org = _clean_org(sender_name)
        if org:
            return org, sender_name
    return None


# ---- support ---------------------------------------------------------------------------------


def _requested_amount(sentences: list[str]) -> tuple[int, str] | None:
    """The amount asked for: near an ask or a funding word, not an own share or a total."""
    fallback: tuple[int, str] | None = None
    for sentence in sentences:
        for amount, words in parse_amounts(sentence):
            at = sentence.find(words)
            window = sentence[max(0, at - 50) : at]
            if _OWN_CUE.search(window) or _TOTAL_CUE.search(window):
                continue
            if _ASK.search(window) or _FINANCE_CUE.search(window):
                return amount, sentence
            plain = not _is_own(sentence) and not _TOTAL_CUE.search(sentence)
            asks = _ASK.search(sentence) or _FINANCE_CUE.search(sentence)
            if fallback is None and plain and asks:
                fallback = amount, sentence
    return fallback


def _support(fields: dict[str, _Field], sentences: list[str]) -> tuple[list[SupportRequest], str]:
    asked = [s for s in sentences if not _is_own(s)]
    field_text = fields["support"].value if "support" in fields else ""
    if field_text:
        asked = [field_text, *asked]
    amount = None
    if "amount" in fields:
        amount = _field_amount(fields["amount"].value)
    found = _requested_amount(asked)
    evidence: list[str] = []
    if amount is None and found is not None:
        amount, sentence = found
        evidence.append(sentence)
    elif amount is not None:
        evidence.append(fields["amount"].line)
    requests: list[SupportRequest] = []
    finance = next((s for s in asked if _FINANCE_CUE.search(s)), None)
    if amount is not None or finance:
        requests.append(SupportRequest(SupportForm.FINANSIERING, amount_sek=amount))
        if finance and finance not in evidence:
            evidence.append(finance)
    staff = next((s for s in asked if _PERSONAL_CUE.search(s) and not _OUR_STAFF.search(s)), None)
    if staff:
        hours = _HOURS.search(staff)
        requests.append(
            SupportRequest(
                SupportForm.PERSONAL,
                hours=int(re.sub(r"\D", "", hours.group("n"))) if hours else None,
            )
        )
        evidence.append(staff)
    process = next((s for s in asked if _PROCESS_CUE.search(s)), None)
    if process:
        requests.append(SupportRequest(SupportForm.PROCESSTOD))
        evidence.append(process)
    other = next(
        (
            s
            for s in asked
            if _OTHER_CUE.search(s)
            and _ASK.search(s)
            and not (_FINANCE_CUE.search(s) or _PERSONAL_CUE.search(s) or _PROCESS_CUE.search(s))
        ),
        None,
    )
    if other:
        requests.append(SupportRequest(SupportForm.OVRIGT, text=other[:300]))
        evidence.append(other)
    return requests, " | ".join(dict.fromkeys(evidence))


def _field_amount(value: str) -> int | None:
    amounts = parse_amounts(value)
    if amounts:
        return amounts[0][0]
    bare = re.fullmatch(r"\s*(\d{1,3}(?:[ \u00a0.]\d{3})+|\d+)\s*", value)
    return int(re.sub(r"\D", "", bare.group(1))) if bare else None


# ---- title ------------------------------------------------------------------------------------

_CASE_REF = re.compile(r"\[?\bSAM-\d{4}-\d{4}\b\]?")
_SUBJECT_NOISE = re.compile(
    r"^(?:ansökan|ansökning|application|intresseanmälan)?\s*(?:om\s+)?"
    r"(?:samverkansstöd|samverkan|stöd|support)?\s*(?:[:\-–—]\s*|\b(?:för|till|gällande|avseende|"
    r"i|på|for)\b\s*)?",
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
) -> Application:
    """Read one application's text (and its headers) into an :class:`Application`."""
    gaz = gazetteer or Gazetteer.bundled()
    fields = _form_fields(text)
    sentences = _sentences(text)
    evidence: dict[str, str] = {}
    values: dict[str, Any] = {}

    def put(name: str, value: Any, words: str) -> None:
        values[name] = value
        evidence[name] = words.strip()[:500]

    org = _organisation(fields, text, signature, sender_name)
    if org:
        put("organisation", *org)

    number = find_orgnr(fields["orgnr"].line) if "orgnr" in fields else None
    number = number or find_orgnr(text) or find_orgnr(signature)
    if number:
        put("orgnr", number.formatted, number.words)
        put("orgnr_valid", number.valid, number.words)

    _contact_fields(fields, text, signature, sender_name, sender_addr, put)
    area_name = _area_fields(fields, text, subject, gaz, put)
    _actor_fields(fields, text, values.get("organisation"), put)

    requests, support_words = _support(fields, sentences)
    if requests:
        put("support", tuple(requests), support_words)

    _time_fields(fields, text, put)
    _prose_fields(fields, sentences, put)

    title = _title(subject, fields, area_name)
    if title:
        put("title", title, subject or title)
    return Application(**values, evidence=evidence)


_Put = Callable[[str, Any, str], None]


def _contact_fields(
    fields: dict[str, _Field],
    text: str,
    signature: str,
    sender_name: str | None,
    sender_addr: str | None,
    put: _Put,
) -> None:
    name: tuple[str, str] | None = None
    if "contact_name" in fields:
        value = fields["contact_name"].value.splitlines()[0]
        value = _EMAIL.sub("", value).split(",")[0].strip(" ,;-–")
        if value:
            name = value, fields["contact_name"].line
    if name is None:
        prose = _CONTACT_PROSE.search(text)
        name = (prose.group("name"), prose.group(0)) if prose else None
    name = name or _signature_name(signature, text)
    if name is None and (display := _person_from_display(sender_name)):
        name = display, f"Från: {sender_name}"
    if name:
        put("contact_name", *name)

    field_mail = _EMAIL.search(fields["email"].value) if "email" in fields else None
    if field_mail:
        put("email", field_mail.group(0).lower(), fields["email"].line)
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


def _actor_fields(fields: dict[str, _Field], text: str, organisation: Any, put: _Put) -> None:
    found = dict(find_actors(text))
    if isinstance(organisation, str):
        for category, word in _organisation_categories(organisation):
            found.setdefault(category, word)
    if found:
        ordered = [c for c in ActorCategory if c in found]
        put("actors", tuple(ordered), ", ".join(found[c] for c in ordered))


def _organisation_categories(organisation: str) -> list[tuple[ActorCategory, str]]:
    """The applicant is an actor too: read its kind from its name or legal form."""
    named = find_actors(organisation)
    if named:
        return named
    if re.search(r"fastighet", organisation, re.IGNORECASE):
        return [(ActorCategory.FASTIGHETSAGARE, organisation)]
    if re.search(r"\b(?:AB|HB|KB)$", organisation):
        return [(ActorCategory.NARINGSLIV, organisation)]
    return []


def _time_fields(fields: dict[str, _Field], text: str, put: _Put) -> None:
    duration = None
    if "duration" in fields:
        duration = parse_duration(fields["duration"].value, cued=False)
    duration = duration or parse_duration(text)
    if duration:
        put("duration_months", *duration)
    start = None
    if "start" in fields:
        start = parse_start("start " + fields["start"].value)
    if start is None and "duration" in fields:
        start = parse_start(fields["duration"].value)
    start = start or parse_start(text)
    if start:
        put("start", *start)


def _prose_fields(fields: dict[str, _Field], sentences: list[str], put: _Put) -> None:
    cues = {"purpose": _PURPOSE_CUE, "goals": _GOALS_CUE, "own_contribution": _OWN_CUE}
    for name, cue in cues.items():
        if name in fields:
            put(name, _SPACE.sub(" ", fields[name].value), fields[name].line)
            continue
        pool = sentences
        if name == "purpose":
            # A goal sentence often names the problem too; keep it out of the purpose.
            pool = [s for s in sentences if not _GOALS_CUE.search(s)] or sentences
        value = _cued(pool, cue)
        if value:
            put(name, value, value)
