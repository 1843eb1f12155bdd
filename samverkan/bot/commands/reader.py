"""``parse(text) -> Command``: pure, shared by Slack, Teams and the CLI.

``parse`` never raises: a text it cannot read becomes :class:`Invalid`, which the core answers
with the help text or the command's usage. Values that need the database or the gazetteer (a
case, an area) are checked by ``actions.py``; everything the text alone tells is checked here.
The readers of the case steps live in :mod:`~samverkan.bot.commands.case_steps`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from samverkan.bot.commands import case_steps, registry_steps
from samverkan.bot.commands.specs import FIELD_HELP, close_to, fold, spec_of, word_of
from samverkan.bot.commands.types import (
    AddProcess,
    Command,
    Documents,
    EditFields,
    Help,
    Invalid,
    ListCases,
    ListProcesses,
    Mine,
    NewCase,
    Reminders,
    Secrecy,
    Show,
    Stats,
)
from samverkan.bot.commands.values import (
    BadText,
    key_values,
    read_edit,
    read_phase,
    required,
    split_ref,
)

_PREFIX = re.compile(r"^\s*/?samverkan\b", re.IGNORECASE)


def _help(rest: str) -> Command:
    spec = spec_of(rest) if rest else None
    return Help(spec.name if spec else None)


def _list(rest: str) -> Command:
    words = rest.split()
    phase = read_phase(words[0]) if words else None
    area = " ".join(words[1:] if phase else words)
    return ListCases(phase=phase, area=area or None)


def _show(rest: str) -> Command:
    return Show(split_ref(rest)[0])


def _new(rest: str) -> Command:
    title, pairs = key_values(rest)
    edit = read_edit(pairs)
    title = title or (edit.title or "")
    return NewCase(required(title, "en titel för ärendet"), edit)


def _set(rest: str) -> Command:
    ref, tail = split_ref(rest)
    lead, pairs = key_values(tail)
    if lead or not pairs:
        raise BadText(f"Skriv fält=värde. Fält: {FIELD_HELP}.")
    return EditFields(ref, read_edit(pairs))


_QUOTED = re.compile(r'^["“”„\'](.+?)["“”\']\s*(.*)$', re.DOTALL)


def _process(rest: str) -> Command:
    word, tail = (*rest.split(maxsplit=1), "", "")[:2]
    action = fold(word)
    if action in ("lista", "list", ""):
        return ListProcesses()
    if action not in ("lagg-till", "laggtill", "lagg", "add"):
        raise BadText(f"Okänd åtgärd '{word}' (lägg-till eller lista).")
    match = _QUOTED.match(tail.strip())
    if match is None:
        raise BadText('Ange processens namn inom citattecken, t.ex. "BID Lindängen".')
    name, after = match.group(1).strip(), match.group(2)
    lead, pairs = key_values(after)
    contact = None
    for key, value in pairs:
        if fold(key) not in ("kontakt", "contact"):
            raise BadText(f"Okänt fält '{key}' (bara kontakt=).")
        contact = value or None
    areas = tuple(a.strip() for a in lead.split(",") if a.strip())
    if not areas:
        raise BadText("Ange minst ett område, åtskilda med kommatecken.")
    return AddProcess(required(name, "processens namn"), areas, contact)


def _documents(rest: str) -> Command:
    return Documents(split_ref(rest)[0])


_ON = {"pa": True, "on": True, "ja": True, "av": False, "off": False, "nej": False}


def _secrecy(rest: str) -> Command:
    ref, tail = split_ref(rest)
    words = tail.split()
    if len(words) != 2 or not words[0].isdigit() or fold(words[1]) not in _ON:
        raise BadText("Skriv handlingens nummer och på eller av, t.ex. sekretess REF 2 på.")
    return Secrecy(ref, int(words[0]), _ON[fold(words[1])])


_READERS: dict[str, Callable[[str], Command]] = {
    "hjalp": _help,
    "lista": _list,
    "visa": _show,
    "tilldela": case_steps.read_assign,
    "komplettera": case_steps.read_request_info,
    "bedom": case_steps.read_assess,
    "mote": case_steps.read_meeting,
    "godkann": case_steps.read_approve,
    "avsla": case_steps.read_reject,
    "beslut": case_steps.read_decide,
    "uppfoljning": case_steps.read_follow_up,
    "avsluta": case_steps.read_close,
    "aterkalla": case_steps.read_withdraw,
    "paminnelser": lambda rest: Reminders(),
    "mina": lambda rest: Mine(),
    "ny": _new,
    "andra": _set,
    "statistik": lambda rest: Stats(),
    "process": _process,
    "handlingar": _documents,
    "sekretess": _secrecy,
    "handlaggare": registry_steps.read_officials,
    "namnd": registry_steps.read_calendar,
}


def parse(text: str) -> Command:
    """Read one chat command; never raises (a wrong text becomes :class:`Invalid`)."""
    body = _PREFIX.sub("", text, count=1).strip()
    if not body:
        return Help()
    word, rest = (*body.split(maxsplit=1), "")[:2]
    spec = spec_of(word)
    if spec is None:
        if (near := close_to(word)) is not None:
            return Invalid(
                f"Okänt kommando '{word}'. Menade du {word_of(near)}?", suggestion=near.name
            )
        return Invalid(f"Okänt kommando '{word}'.")
    try:
        return _READERS[spec.name](rest.strip())
    except BadText as exc:
        return Invalid(str(exc), command=spec.name)
