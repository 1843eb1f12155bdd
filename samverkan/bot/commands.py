"""Chat commands as text: ``parse(text) -> Command``, pure, shared by Slack, Teams and the CLI.

Swedish words come first, English ones are aliases, and every word is compared with å, ä and ö
folded away, so ``godkänn``, ``godkann`` and ``approve`` are the same command. ``parse`` never
raises: a text it cannot read becomes :class:`Invalid`, which the core answers with the help text
or the command's usage. Values that need the database or the gazetteer (a case, an area) are
checked by ``actions.py``; everything that can be checked from the text alone is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time

from samverkan.intake.extraction.amounts import parse_amounts
from samverkan.intake.extraction.extract import normalise_phone
from samverkan.intake.extraction.lexicon import find_actors
from samverkan.intake.extraction.orgnr import find_orgnr
from samverkan.rules.model import ActorCategory, SupportForm, SupportRequest
from samverkan.rules.phases import Phase

__all__ = [
    "SPECS",
    "AddProcess",
    "ApplicationEdit",
    "Approve",
    "Assess",
    "Assign",
    "Close",
    "Command",
    "CommandSpec",
    "Decide",
    "EditFields",
    "FollowUp",
    "Help",
    "Invalid",
    "ListCases",
    "ListProcesses",
    "Meeting",
    "NewCase",
    "Reject",
    "Reminders",
    "RequestInfo",
    "Show",
    "Stats",
    "Withdraw",
    "fold",
    "parse",
    "spec_of",
]

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def fold(word: str) -> str:
    """Lower case without å, ä, ö: how officials type on any keyboard."""
    return word.strip().lower().translate(_FOLD)


# -- the commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class ListCases:
    phase: Phase | None = None
    area: str | None = None


@dataclass(frozen=True)
class Show:
    ref: str


@dataclass(frozen=True)
class Assign:
    ref: str
    assignee: str


@dataclass(frozen=True)
class RequestInfo:
    ref: str
    text: str


@dataclass(frozen=True)
class Meeting:
    """A meeting in local time (``settings.timezone``); the core makes it an instant."""

    ref: str
    day: date
    at: time


@dataclass(frozen=True)
class Approve:
    ref: str
    override: str | None = None


@dataclass(frozen=True)
class Reject:
    ref: str
    reason: str


@dataclass(frozen=True)
class Decide:
    ref: str
    granted: bool
    support: tuple[SupportRequest, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class FollowUp:
    ref: str
    kind: str
    """``resultat`` or ``effekt``."""
    text: str


@dataclass(frozen=True)
class Withdraw:
    ref: str
    reason: str


@dataclass(frozen=True)
class Assess:
    ref: str
    reason: str = ""


@dataclass(frozen=True)
class Close:
    ref: str
    reason: str = ""


@dataclass(frozen=True)
class Reminders:
    """``påminnelser``: the pending reminders, soonest first."""


@dataclass(frozen=True)
class Stats:
    """``statistik``: cases per phase and area, lead times, support granted."""


@dataclass(frozen=True)
class ApplicationEdit:
    """Fields an official sets; None is "leave as it is". ``area`` is resolved by the core."""

    title: str | None = None
    organisation: str | None = None
    orgnr: str | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    area: str | None = None
    actors: tuple[ActorCategory, ...] | None = None
    forms: tuple[SupportForm, ...] | None = None
    amount_sek: int | None = None
    hours: int | None = None
    support_text: str | None = None
    start: date | None = None
    duration_months: int | None = None
    purpose: str | None = None
    goals: str | None = None
    own_contribution: str | None = None
    written: dict[str, str] = field(default_factory=dict, compare=False)
    """Field name -> the words the official typed (kept as evidence)."""

    @property
    def empty(self) -> bool:
        return not self.written


@dataclass(frozen=True)
class NewCase:
    title: str
    edit: ApplicationEdit


@dataclass(frozen=True)
class EditFields:
    ref: str
    edit: ApplicationEdit


@dataclass(frozen=True)
class AddProcess:
    name: str
    areas: tuple[str, ...]
    contact: str | None = None


@dataclass(frozen=True)
class ListProcesses:
    """``process lista``: the registry of running collaboration processes."""


@dataclass(frozen=True)
class Invalid:
    """Text that is not a command. ``command`` is the command word, if that much was right."""

    problem: str
    command: str | None = None


Command = (
    Help
    | ListCases
    | Show
    | Assign
    | RequestInfo
    | Meeting
    | Approve
    | Reject
    | Decide
    | FollowUp
    | Withdraw
    | Assess
    | Close
    | Reminders
    | Stats
    | NewCase
    | EditFields
    | AddProcess
    | ListProcesses
    | Invalid
)


# -- the table the help text and the parser share ---------------------------------------------


@dataclass(frozen=True)
class CommandSpec:
    name: str
    """The canonical word (Swedish, without diacritics): action ids use it."""
    words: tuple[str, ...]
    usage: str
    summary: str
    example: str


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("hjalp", ("hjalp", "help"), "hjälp|help [kommando]",
                "visar den här listan, eller hur ett kommando används", "hjälp beslut"),
    CommandSpec("lista", ("lista", "list"), "lista|list [fas] [område]",
                "listar ärenden, om du vill i en fas och ett område", "lista bedömning Seved"),
    CommandSpec("visa", ("visa", "show"), "visa|show REF",
                "visar ett ärende: uppgifter, kriterier och möjliga steg", "visa SAM-2026-0001"),
    CommandSpec("tilldela", ("tilldela", "assign"), "tilldela|assign REF @vem",
                "gör någon till kontaktperson för ärendet (samordnare)",
                "tilldela SAM-2026-0001 @karin"),
    CommandSpec("komplettera", ("komplettera", "request-info", "requestinfo"),
                "komplettera|request-info REF text",
                "ber sökande om kompletterande uppgifter per e-post",
                "komplettera SAM-2026-0001 Skicka gärna en budget för första året."),
    CommandSpec("bedom", ("bedom", "assess"), "bedöm|assess REF [skäl]",
                "flyttar ärendet till bedömning", "bedöm SAM-2026-0001 svar per telefon"),
    CommandSpec("mote", ("mote", "meeting"), "möte|meeting REF ÅÅÅÅ-MM-DD TT:MM",
                "bokar möte med aktörerna (påminnelse arbetsdagen före)",
                "möte SAM-2026-0001 2026-03-10 10:00"),
    CommandSpec("godkann", ("godkann", "approve"), "godkänn|approve REF [override: skäl]",
                "godkänner ansökan för tekniska nämnden och bifogar tjänsteskrivelsen",
                "godkänn SAM-2026-0001"),
    CommandSpec("avsla", ("avsla", "reject"), "avslå|reject REF skäl",
                "avslår ansökan med skäl (sökande får ett e-postmeddelande)",
                "avslå SAM-2026-0001 området är inte avgränsat"),
    CommandSpec("beslut", ("beslut", "decision"),
                "beslut|decision REF beviljad|avslag [stödform=… belopp=… timmar=…] [kommentar]",
                "registrerar tekniska nämndens beslut",
                "beslut SAM-2026-0001 beviljad stödform=finansiering,processtöd belopp=350000"),
    CommandSpec("uppfoljning", ("uppfoljning", "followup", "follow-up"),
                "uppföljning|followup REF resultat|effekt text",
                "registrerar en resultat- eller effektmätning",
                "uppföljning SAM-2026-0001 resultat 12 trygghetsvandringar genomförda"),
    CommandSpec("avsluta", ("avsluta", "close"), "avsluta|close REF [skäl]",
                "avslutar ett ärende efter uppföljningen", "avsluta SAM-2026-0001"),
    CommandSpec("aterkalla", ("aterkalla", "withdraw"), "återkalla|withdraw REF skäl",
                "markerar ansökan som återkallad av sökande",
                "återkalla SAM-2026-0001 föreningen drar tillbaka ansökan"),
    CommandSpec("paminnelser", ("paminnelser", "reminders"), "påminnelser|reminders",
                "visar kommande påminnelser, närmast först", "påminnelser"),
    CommandSpec("ny", ("ny", "new"), "ny|new Titel; fält=värde; …",
                "öppnar ett ärende från chatten (när staden tar initiativet)",
                "ny Samverkan Lindängen; område=Lindängen; organisation=Lindängens BID"),
    CommandSpec("andra", ("andra", "set"), "ändra|set REF fält=värde …",
                "rättar en uppgift och bedömer ansökan på nytt",
                "ändra SAM-2026-0001 orgnr=802457-3167"),
    CommandSpec("statistik", ("statistik", "stats"), "statistik|stats",
                "ärenden per fas och område, beviljat stöd", "statistik"),
    CommandSpec("process", ("process",),
                'process lägg-till "Namn" område1, område2 [kontakt=…] | process lista',
                "registrerar en pågående samverkansprocess (samordnare), eller listar dem",
                'process lägg-till "BID Lindängen" Lindängen kontakt=info@lindangen.example'),
)  # fmt: skip

_BY_WORD = {word: spec for spec in SPECS for word in spec.words}
FIELD_HELP = (
    "titel, organisation, orgnr, kontakt, epost, telefon, område, aktörer, stödform, belopp, "
    "timmar, start, månader, syfte, mål, egen_insats"
)


def spec_of(name: str) -> CommandSpec | None:
    """The command a (possibly English, possibly accented) word names."""
    return _BY_WORD.get(fold(name))


class _Bad(Exception):
    """A wrong argument; ``str()`` says what is wrong, in Swedish."""


# -- small readers ----------------------------------------------------------------------------

_REF = re.compile(r"^(?:SAM-?)?(\d{4})-(\d{1,6})$", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*/?samverkan\b", re.IGNORECASE)


def _ref(word: str | None) -> str:
    if not word:
        raise _Bad("Ange ärendets referens, t.ex. SAM-2026-0001.")
    match = _REF.match(word.strip(".,;:"))
    if match is None:
        raise _Bad(f"'{word}' är ingen ärendereferens (de ser ut som SAM-2026-0001).")
    return f"SAM-{match.group(1)}-{int(match.group(2)):04d}"


def _split_ref(rest: str) -> tuple[str, str]:
    """The reference and the text after it."""
    words = rest.split(maxsplit=1)
    return _ref(words[0] if words else None), words[1].strip() if len(words) > 1 else ""


def _required(text: str, what: str) -> str:
    if not text.strip():
        raise _Bad(f"Ange {what}.")
    return text.strip()


def _phase(word: str) -> Phase | None:
    key = fold(word)
    for phase in Phase:
        if key in (phase.value, fold(phase.label)):
            return phase
    return None


_SLACK_USER = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
_SLACK_MAILTO = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_USER_ID = re.compile(r"^[A-Za-z0-9._:-]+$")


def _assignee(word: str) -> str:
    """A Slack mention (``<@U123>``), a Slack mailto link, an e-mail address or a bare id."""
    word = word.strip()
    if match := _SLACK_USER.match(word):
        return match.group(1)
    if match := _SLACK_MAILTO.match(word):
        word = match.group(1)
    word = word.removeprefix("@")
    if _EMAIL.match(word):
        return word.lower()
    if word and _USER_ID.match(word):
        return word
    raise _Bad(f"'{word}' är varken ett omnämnande (@namn) eller en e-postadress.")


def _int(value: str, what: str) -> int:
    digits = value.replace(" ", "").replace("\u00a0", "")
    if digits.isdigit():
        return int(digits)
    raise _Bad(f"{what} ska vara ett heltal, inte '{value}'.")


def _amount(value: str) -> int:
    plain = re.sub(r"[\s\u00a0]", "", value)
    if plain.isdigit():
        return int(plain)
    found = parse_amounts(value)
    if len(found) == 1:
        return found[0][0]
    raise _Bad(f"Förstår inte beloppet '{value}' (skriv t.ex. belopp=350000 eller 350 tkr).")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Bad(f"'{value}' är inget giltigt datum (skriv ÅÅÅÅ-MM-DD).") from None


_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _time(value: str) -> time:
    match = _TIME.match(value.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _Bad(f"'{value}' är ingen giltig tid (skriv TT:MM, t.ex. 10:00).")
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
            raise _Bad(
                f"Okänd stödform '{item}'. Stödformer: finansiering, personal, processtöd, övrigt."
            )
        out.append(form)
    if not out:
        raise _Bad("Ange minst en stödform.")
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
                raise _Bad(
                    f"Okänd aktörskategori '{item}'. Kategorier: fastighetsägare, näringsliv, "
                    "civilsamhälle, boende, offentlig."
                )
            category = guessed[0][0]
        out.append(category)
    return tuple(dict.fromkeys(out))


def _orgnr(value: str) -> str:
    number = find_orgnr(f"orgnr {value.strip()}")
    if number is None:
        raise _Bad(f"'{value}' är inget organisationsnummer (skriv NNNNNN-NNNN).")
    if not number.valid:
        raise _Bad(f"Organisationsnumret {number.formatted} har fel kontrollsiffra.")
    return number.formatted


def _months(value: str) -> int:
    match = re.match(r"^\s*(\d+)\s*(man|manad|manader|mån|månad|månader|ar|år)?\.?\s*$", value)
    if match is None:
        raise _Bad(f"Förstår inte tidsramen '{value}' (skriv t.ex. månader=24).")
    unit = fold(match.group(2) or "man")
    return int(match.group(1)) * (12 if unit == "ar" else 1)


def _phone(value: str) -> str:
    phone = normalise_phone(value)
    if phone is None:
        raise _Bad(f"'{value}' är inget svenskt telefonnummer.")
    return phone


def _email(value: str) -> str:
    value = value.strip()
    if match := _SLACK_MAILTO.match(value):
        value = match.group(1)
    if not _EMAIL.match(value):
        raise _Bad(f"'{value}' är ingen e-postadress.")
    return value.lower()


def _text(value: str) -> str:
    return _required(value, "en text")


# field key (folded) -> (attribute, converter)
_FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "titel": ("title", _text),
    "title": ("title", _text),
    "organisation": ("organisation", _text),
    "org": ("organisation", _text),
    "orgnr": ("orgnr", _orgnr),
    "organisationsnummer": ("orgnr", _orgnr),
    "kontakt": ("contact_name", _text),
    "kontaktperson": ("contact_name", _text),
    "contact": ("contact_name", _text),
    "epost": ("email", _email),
    "e-post": ("email", _email),
    "email": ("email", _email),
    "mail": ("email", _email),
    "telefon": ("phone", _phone),
    "tel": ("phone", _phone),
    "phone": ("phone", _phone),
    "omrade": ("area", _text),
    "area": ("area", _text),
    "aktorer": ("actors", _actors),
    "actors": ("actors", _actors),
    "stodform": ("forms", _forms),
    "support": ("forms", _forms),
    "belopp": ("amount_sek", _amount),
    "amount": ("amount_sek", _amount),
    "timmar": ("hours", lambda v: _int(v, "Timmar")),
    "hours": ("hours", lambda v: _int(v, "Timmar")),
    "beskrivning": ("support_text", _text),
    "start": ("start", _date),
    "manader": ("duration_months", _months),
    "varaktighet": ("duration_months", _months),
    "tidsram": ("duration_months", _months),
    "syfte": ("purpose", _text),
    "purpose": ("purpose", _text),
    "mal": ("goals", _text),
    "goals": ("goals", _text),
    "egen_insats": ("own_contribution", _text),
    "egeninsats": ("own_contribution", _text),
    "insats": ("own_contribution", _text),
}

_KEY = re.compile(r"(?:^|(?<=[\s;,]))([\wåäöÅÄÖ-]+)\s*=")


def _key_values(text: str) -> tuple[str, list[tuple[str, str]]]:
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


def _edit(pairs: list[tuple[str, str]]) -> ApplicationEdit:
    values: dict[str, object] = {}
    written: dict[str, str] = {}
    for key, raw in pairs:
        known = _FIELDS.get(fold(key))
        if known is None:
            raise _Bad(f"Okänt fält '{key}'. Fält: {FIELD_HELP}.")
        attribute, convert = known
        values[attribute] = convert(raw)
        written[attribute] = raw
    return ApplicationEdit(**values, written=written)  # type: ignore[arg-type]


# -- one reader per command -------------------------------------------------------------------


def _help(rest: str) -> Command:
    spec = spec_of(rest) if rest else None
    return Help(spec.name if spec else None)


def _list(rest: str) -> Command:
    words = rest.split()
    phase = _phase(words[0]) if words else None
    area = " ".join(words[1:] if phase else words)
    return ListCases(phase=phase, area=area or None)


def _show(rest: str) -> Command:
    return Show(_split_ref(rest)[0])


def _assign(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    return Assign(ref, _assignee(_required(tail, "vem som ska tilldelas, t.ex. @karin")))


def _request_info(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    return RequestInfo(ref, _required(tail, "vad sökande ska komplettera med"))


def _meeting(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    words = [w for w in tail.split() if fold(w) not in ("kl", "kl.")]
    if len(words) != 2:
        raise _Bad("Ange datum och tid för mötet, t.ex. 2026-03-10 10:00.")
    return Meeting(ref, _date(words[0]), _time(words[1]))


_OVERRIDE = re.compile(r"^(?:override|undantag|åsidosätt|asidosatt)\s*[:=]\s*", re.IGNORECASE)


def _approve(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    if not tail:
        return Approve(ref)
    match = _OVERRIDE.match(tail)
    if match is None:
        raise _Bad(
            "Skriv 'override: skäl' för att godkänna trots att kriterierna inte är uppfyllda."
        )
    return Approve(ref, _required(tail[match.end() :], "ett skäl efter override:"))


def _reject(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    return Reject(ref, _required(tail, "ett skäl till avslaget"))


_GRANTED = frozenset({"beviljad", "beviljat", "beviljas", "bevilja", "bifall", "granted"})
_REFUSED = frozenset({"avslag", "avslagen", "avslaget", "avslas", "rejected", "denied"})


def _decide(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    word, after = (*tail.split(maxsplit=1), "", "")[:2]
    outcome = fold(word)
    if outcome in _REFUSED:
        return Decide(ref, granted=False, note=after.strip())
    if outcome not in _GRANTED:
        raise _Bad("Ange beslutet: beviljad eller avslag.")
    note, pairs = _key_values(after)
    allowed = {"forms", "amount_sek", "hours", "support_text"}
    edit = _edit(pairs)
    if extra := set(edit.written) - allowed:
        raise _Bad(
            "I ett beslut anges stödform=, belopp=, timmar= och beskrivning=, "
            f"inte {', '.join(sorted(extra))}."
        )
    return Decide(ref, granted=True, support=_support(edit), note=note)


def _support(edit: ApplicationEdit) -> tuple[SupportRequest, ...]:
    """The support granted; an amount alone means financing."""
    forms = edit.forms or ((SupportForm.FINANSIERING,) if edit.amount_sek is not None else ())
    if not forms:
        raise _Bad("Ange vilket stöd som beviljades, t.ex. stödform=finansiering belopp=350000.")
    if SupportForm.FINANSIERING in forms and edit.amount_sek is None:
        raise _Bad("Ange belopp=… för finansiering.")
    if edit.amount_sek is not None and SupportForm.FINANSIERING not in forms:
        raise _Bad("Ett belopp hör till stödformen finansiering; lägg till den i stödform=.")
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


def _follow_up(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    word, text = (*tail.split(maxsplit=1), "", "")[:2]
    kind = _KINDS.get(fold(word)) if word else None
    if kind is None:
        raise _Bad("Ange resultat eller effekt och en text.")
    return FollowUp(ref, kind, _required(text, "vad mätningen visade"))


def _withdraw(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    return Withdraw(ref, _required(tail, "varför ansökan återkallas"))


def _assess(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    return Assess(ref, tail)


def _close(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    return Close(ref, tail)


def _new(rest: str) -> Command:
    title, pairs = _key_values(rest)
    edit = _edit(pairs)
    title = title or (edit.title or "")
    return NewCase(_required(title, "en titel för ärendet"), edit)


def _set(rest: str) -> Command:
    ref, tail = _split_ref(rest)
    lead, pairs = _key_values(tail)
    if lead or not pairs:
        raise _Bad(f"Skriv fält=värde. Fält: {FIELD_HELP}.")
    return EditFields(ref, _edit(pairs))


_QUOTED = re.compile(r'^["“”„\'](.+?)["“”\']\s*(.*)$', re.DOTALL)


def _process(rest: str) -> Command:
    word, tail = (*rest.split(maxsplit=1), "", "")[:2]
    action = fold(word)
    if action in ("lista", "list", ""):
        return ListProcesses()
    if action not in ("lagg-till", "laggtill", "lagg", "add"):
        raise _Bad(f"Okänd åtgärd '{word}' (lägg-till eller lista).")
    match = _QUOTED.match(tail.strip())
    if match is None:
        raise _Bad('Ange processens namn inom citattecken, t.ex. "BID Lindängen".')
    name, after = match.group(1).strip(), match.group(2)
    lead, pairs = _key_values(after)
    contact = None
    for key, value in pairs:
        if fold(key) not in ("kontakt", "contact"):
            raise _Bad(f"Okänt fält '{key}' (bara kontakt=).")
        contact = value or None
    areas = tuple(a.strip() for a in lead.split(",") if a.strip())
    if not areas:
        raise _Bad("Ange minst ett område, åtskilda med kommatecken.")
    return AddProcess(_required(name, "processens namn"), areas, contact)


_READERS: dict[str, Callable[[str], Command]] = {
    "hjalp": _help,
    "lista": _list,
    "visa": _show,
    "tilldela": _assign,
    "komplettera": _request_info,
    "bedom": _assess,
    "mote": _meeting,
    "godkann": _approve,
    "avsla": _reject,
    "beslut": _decide,
    "uppfoljning": _follow_up,
    "avsluta": _close,
    "aterkalla": _withdraw,
    "paminnelser": lambda rest: Reminders(),
    "ny": _new,
    "andra": _set,
    "statistik": lambda rest: Stats(),
    "process": _process,
}


def parse(text: str) -> Command:
    """Read one chat command; never raises (a wrong text becomes :class:`Invalid`)."""
    body = _PREFIX.sub("", text, count=1).strip()
    if not body:
        return Help()
    word, rest = (*body.split(maxsplit=1), "")[:2]
    spec = spec_of(word)
    if spec is None:
        return Invalid(f"Okänt kommando '{word}'.")
    try:
        return _READERS[spec.name](rest.strip())
    except _Bad as exc:
        return Invalid(str(exc), command=spec.name)
