"""The deadline policy: when each reminder of the model falls due, as a versioned file.

Beside the rule set, ``rules/rulesets/frister-2026-12-01.1.toml`` says for each deadline of the
model how long after its starting point it falls due (``offset``: ``"2 arbetsdagar"``,
``"10 dagar"``, ``"6 månader"``, ``"-1 arbetsdagar"`` for the working day before), and the
file's ``time`` says at what local time a reminder day starts. What each deadline *means* (a
case not assigned, a request unanswered) is code (:mod:`samverkan.rules.deadlines`); the file
holds the numbers an office may change. A file with a mistake is refused whole, with its line
named, like a rule set; every reminder records the policy id it was scheduled by.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from samverkan.rules.tomllines import key_lines, translate_syntax_error

__all__ = [
    "BUNDLED_POLICY",
    "DEADLINES",
    "LABELS",
    "DeadlinePolicy",
    "DeadlinePolicyError",
    "Offset",
    "Unit",
    "bundled_policy",
    "describe_policy",
    "load_policy",
    "parse_offset",
    "parse_policy",
]

BUNDLED_POLICY = "frister-2026-12-01.1.toml"

DEADLINES: dict[str, str] = {
    "tilldelning": "ett nytt ärende utan kontaktperson, till handläggarnas kanal",
    "bedomning": "ett ärende som inte bedömts, till samordnarna",
    "komplettering": "en obesvarad begäran om komplettering: påminnelse till sökanden (en gång)",
    "komplettering_avsluta": "en obesvarad begäran om komplettering: fråga om ärendet ska avslutas",
    "mote": "ett bokat möte: till handläggaren och aktörerna",
    "namnd": "sista dag för tjänsteskrivelsen före nämndens nästa sammanträde",
    "resultatmatning": "resultatmätningen efter beviljat stöd",
    "effektmatning": "effektmätningen efter beviljat stöd",
    "uppfoljning_paminnelse": "en påminnelse om mätningen om inget kommit",
}
"""Every deadline the code knows; a policy gives each of them an offset."""

LABELS = {  # short, for lists of reminders
    "tilldelning": "ej tilldelat",
    "bedomning": "ej bedömt",
    "komplettering": "komplettering obesvarad",
    "komplettering_avsluta": "komplettering obesvarad, avsluta?",
    "mote": "möte",
    "namnd": "tjänsteskrivelse till nämnden",
    "resultatmatning": "resultatmätning",
    "effektmatning": "effektmätning",
    "uppfoljning_paminnelse": "påminnelse om mätning",
}


class DeadlinePolicyError(Exception):
    """A policy file that cannot be used, with the line to look at."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source, self.line, self.problem = source, line, problem
        where = f"{source}, rad {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


class Unit(StrEnum):
    WORKING_DAYS = "arbetsdagar"
    DAYS = "dagar"
    MONTHS = "månader"


_UNITS = {
    "arbetsdag": Unit.WORKING_DAYS,
    "arbetsdagar": Unit.WORKING_DAYS,
    "dag": Unit.DAYS,
    "dagar": Unit.DAYS,
    "månad": Unit.MONTHS,
    "månader": Unit.MONTHS,
    "manad": Unit.MONTHS,
    "manader": Unit.MONTHS,
}
_OFFSET = re.compile(r"^\s*([+-]?\d{1,4})\s+([a-zåäö]+)\s*$")


@dataclass(frozen=True)
class Offset:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}"


def parse_offset(text: str) -> Offset:
    """``"2 arbetsdagar"`` -> Offset(2, WORKING_DAYS); ValueError (Swedish) when unreadable."""
    m = _OFFSET.match(text.lower())
    if not m or m.group(2) not in _UNITS:
        raise ValueError(
            f"”{text}” är ingen frist. Skriv ett tal och en enhet: arbetsdagar, dagar eller "
            "månader, till exempel ”10 arbetsdagar” eller ”-1 arbetsdagar”."
        )
    return Offset(int(m.group(1)), _UNITS[m.group(2)])


@dataclass(frozen=True)
class DeadlinePolicy:
    id: str
    effective: date
    title: str
    start_of_day: time
    """Local time at which a reminder day's reminders fall due."""
    digest_weekday: int
    """0 = Monday: the day of the weekly digest, at ``start_of_day``."""
    offsets: dict[str, Offset]

    def offset(self, deadline: str) -> Offset:
        return self.offsets[deadline]


_TOP_KEYS = ("id", "effective", "title", "time", "digest", "deadlines")
_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag")


def parse_policy(text: str, source: str = "<fristfil>") -> DeadlinePolicy:
    """Validate a policy file's text; the first mistake is raised with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, problem = translate_syntax_error(str(exc), text)
        raise DeadlinePolicyError(source, line, problem) from None
    return _Validator(text, source).policy(data)


def load_policy(path: str | Path) -> DeadlinePolicy:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeadlinePolicyError(source, None, "Filen finns inte.") from None
    except UnicodeDecodeError:
        raise DeadlinePolicyError(source, None, "Filen är inte UTF-8-kodad.") from None
    except OSError as exc:
        raise DeadlinePolicyError(source, None, f"Filen kan inte läsas ({exc.strerror}).") from None
    return parse_policy(text, source)


def bundled_policy() -> DeadlinePolicy:
    """The policy shipped with Samverkan (SPEC's default deadlines)."""
    resource = files("samverkan.rules").joinpath("rulesets", BUNDLED_POLICY)
    return parse_policy(resource.read_text(encoding="utf-8"), BUNDLED_POLICY)


@cache
def policy_from(path: str | Path | None) -> DeadlinePolicy:
    """The policy of a file, or the bundled one for None; read once per file."""
    return bundled_policy() if path is None else load_policy(path)


def describe_policy(policy: DeadlinePolicy) -> str:
    """What ``samverkan deadlines check`` prints: the id and every deadline with its offset."""
    lines = [f"Fristpolicy {policy.id} ({policy.title or 'utan titel'}), från {policy.effective}"]
    lines.append(f"Påminnelser kl. {policy.start_of_day:%H:%M}; veckobrev på "
                 f"{_WEEKDAYS[policy.digest_weekday]}ar")  # fmt: skip
    width = max(len(k) for k in DEADLINES)
    for key in DEADLINES:
        lines.append(f"  {key.ljust(width)}  {policy.offsets[key]!s:>16}  {LABELS[key]}")
    return "\n".join(lines)


class _Validator:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = key_lines(text)

    def fail(self, path: tuple[str, ...], problem: str) -> DeadlinePolicyError:
        while path and path not in self.lines:
            path = path[:-1]
        return DeadlinePolicyError(self.source, self.lines.get(path, 1), problem)

    def text(self, data: dict[str, Any], key: str) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.fail((key,), f"”{key}” ska vara en text inom citattecken.")
        return value

    def policy(self, data: dict[str, Any]) -> DeadlinePolicy:
        for key in data:
            if key not in _TOP_KEYS:
                raise self.fail((key,), f"Okänd inställning ”{key}”. Tillåtna: "
                                f"{', '.join(_TOP_KEYS)}.")  # fmt: skip
        for key in ("id", "effective", "deadlines"):
            if key not in data:
                raise self.fail((), f"Inställningen ”{key}” saknas.")
        policy_id = self.text(data, "id")
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}", policy_id):
            raise self.fail(("id",), f"Id ”{policy_id}” får bara innehålla bokstäver a–z, "
                            "siffror, punkt och bindestreck (högst 40 tecken).")  # fmt: skip
        effective = data["effective"]
        if isinstance(effective, datetime) or not isinstance(effective, date):
            raise self.fail(("effective",), "”effective” ska vara ett datum, ÅÅÅÅ-MM-DD.")
        return DeadlinePolicy(
            id=policy_id,
            effective=effective,
            title=self.text(data, "title"),
            start_of_day=self.clock(data),
            digest_weekday=self.weekday(data),
            offsets=self.offsets(data["deadlines"]),
        )

    def clock(self, data: dict[str, Any]) -> time:
        raw = self.text(data, "time") or "08:00"
        m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", raw)
        if not m:
            raise self.fail(("time",), f"”{raw}” är ingen tid. Skriv TT:MM, till exempel 08:00.")
        return time(int(m.group(1)), int(m.group(2)))

    def weekday(self, data: dict[str, Any]) -> int:
        raw = self.text(data, "digest").lower() or "måndag"
        if raw not in _WEEKDAYS:
            raise self.fail(("digest",), f"”{raw}” är ingen vardag. Skriv {', '.join(_WEEKDAYS)}.")
        return _WEEKDAYS.index(raw)

    def offsets(self, table: object) -> dict[str, Offset]:
        if not isinstance(table, dict):
            raise self.fail(("deadlines",), "”deadlines” ska vara en tabell: [deadlines].")
        for key in table:
            if key not in DEADLINES:
                raise self.fail(("deadlines", key), f"Okänd frist ”{key}”. Kända: "
                                f"{', '.join(DEADLINES)}.")  # fmt: skip
        out: dict[str, Offset] = {}
        for key in DEADLINES:
            if key not in table:
                raise self.fail(("deadlines",), f"Fristen ”{key}” saknas ({DEADLINES[key]}).")
            raw = table[key]
            if not isinstance(raw, str):
                raise self.fail(("deadlines", key), f"”{key}” ska vara en text, till exempel "
                                "”10 arbetsdagar”.")  # fmt: skip
            try:
                out[key] = parse_offset(raw)
            except ValueError as exc:
                raise self.fail(("deadlines", key), str(exc)) from None
        return out
