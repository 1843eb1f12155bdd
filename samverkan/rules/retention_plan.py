"""The retention plan (gallringsplan) as versioned data, like the rule set.

Nothing that arrived is deleted except by a rule of this plan. Each rule names what it
disposes of (``vad``), which of it (the intake outcome of a mail that never became part of a
case, or the phases of a closed case), and after how long (``efter_manader`` or ``efter_ar``).
An official edits the file without a release; a mistake is named in Swedish with its line, and
every disposal records the plan's ``id`` and the rule's, so the disposal log says why.

Two kinds of disposal exist:

``meddelande``
    the mail is deleted, raw bytes and attachments too (only mail that is no case's document);
``personuppgifter``
    a closed case keeps its phases, area, support and decisions (the statistics) but loses the
    applicant's name, e-mail address, phone number and the text and files of its mail, and
    those details (and any identity or phone number, e-mail or street address) wherever else
    the case holds text: its title, follow-ups, reasons and registered subjects.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from samverkan.rules.phases import TERMINAL, Phase
from samverkan.rules.tomllines import key_lines, translate_syntax_error

__all__ = [
    "MESSAGE",
    "PERSONAL_DATA",
    "RetentionError",
    "RetentionPlan",
    "RetentionRule",
    "bundled_plan",
    "load_plan",
    "parse_plan",
]

MESSAGE = "meddelande"
PERSONAL_DATA = "personuppgifter"
OUTCOMES = ("ignored", "duplicate", "quarantined")
"""Outcomes of mail that is no case's document; only these may be disposed of as mail."""
BUNDLED = "2026-12-01.1.toml"


class RetentionError(Exception):
    """A retention plan that cannot be used, with the line to look at."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source, self.line, self.problem = source, line, problem
        where = f"{source}, rad {line}" if line else source
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class RetentionRule:
    id: str
    description: str
    target: str
    months: int
    outcomes: tuple[str, ...] = ()
    phases: tuple[Phase, ...] = ()

    def due(self, since: datetime, now: datetime) -> bool:
        """Whether something that began ``since`` has been kept for the rule's time at ``now``."""
        months = since.year * 12 + since.month - 1 + self.months
        year, month = divmod(months, 12)
        day = min(since.day, _days_in(year, month + 1))
        return now >= since.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionPlan:
    id: str
    decision: str
    rules: tuple[RetentionRule, ...]


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.text_lines = text.splitlines()
        self.lines = key_lines(text)
        self.rule_starts = [
            n for n, line in enumerate(self.text_lines, start=1) if line.strip() == "[[regel]]"
        ]

    def _line_in_rule(self, index: int, key: str | None) -> int | None:
        """The line of ``key`` inside the ``index``-th ``[[regel]]`` (its header without one)."""
        if index >= len(self.rule_starts):
            return None
        start = self.rule_starts[index]
        end = self.rule_starts[index + 1] if index + 1 < len(self.rule_starts) else None
        for number in range(start, (end or len(self.text_lines) + 1)):
            head = self.text_lines[number - 1].split("=", 1)[0].strip()
            if key is not None and head == key:
                return number
        return start

    def fail(self, path: tuple[str | int, ...], problem: str) -> RetentionError:
        if len(path) >= 2 and path[0] == "regel" and isinstance(path[1], int):
            key = str(path[2]) if len(path) > 2 else None
            return RetentionError(self.source, self._line_in_rule(path[1], key), problem)
        keys = tuple(str(p) for p in path)
        while keys and keys not in self.lines:
            keys = keys[:-1]
        return RetentionError(self.source, self.lines.get(keys), problem)

    def text(self, table: dict[str, Any], key: str, path: tuple[str | int, ...]) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail((*path, key), f"'{key}' ska vara en text inom citattecken.")
        return value.strip()

    def words(self, table: dict[str, Any], key: str, allowed: tuple[str, ...], path: Any) -> Any:
        value = table.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.fail((*path, key), f"'{key}' ska vara en lista med texter, t.ex. [\"…\"].")
        wrong = [v for v in value if v not in allowed]
        if wrong:
            raise self.fail(
                (*path, key), f"'{wrong[0]}' finns inte; välj bland {', '.join(allowed)}."
            )
        return tuple(value)

    def months(self, table: dict[str, Any], path: tuple[str | int, ...]) -> int:
        given = [k for k in ("efter_manader", "efter_ar") if k in table]
        if len(given) != 1:
            raise self.fail(path, "Ange antingen efter_manader eller efter_ar (ett heltal).")
        value = table[given[0]]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail((*path, given[0]), f"'{given[0]}' ska vara ett heltal, minst 1.")
        return value if given[0] == "efter_manader" else value * 12

    def rule(self, table: Any, index: int) -> RetentionRule:
        path: tuple[str | int, ...] = ("regel", index)
        if not isinstance(table, dict):
            raise self.fail(path, "Varje [[regel]] ska vara en tabell.")
        unknown = set(table) - {"id", "beskrivning", "vad", "utfall", "faser", "efter_manader",
                                "efter_ar"}  # fmt: skip
        if unknown:
            name = sorted(unknown)[0]
            raise self.fail((*path, name), f"'{name}' är ingen inställning för en regel.")
        rule_id, target = self.text(table, "id", path), self.text(table, "vad", path)
        description = self.text(table, "beskrivning", path)
        months = self.months(table, path)
        if target == MESSAGE:
            outcomes = self.words(table, "utfall", OUTCOMES, path)
            return RetentionRule(rule_id, description, target, months, outcomes=outcomes)
        if target == PERSONAL_DATA:
            closed = tuple(p.value for p in TERMINAL)
            phases = tuple(Phase(p) for p in self.words(table, "faser", closed, path))
            return RetentionRule(rule_id, description, target, months, phases=phases)
        raise self.fail((*path, "vad"), f"'vad' ska vara {MESSAGE} eller {PERSONAL_DATA}.")

    def plan(self, data: dict[str, Any]) -> RetentionPlan:
        plan_id, decision = self.text(data, "id", ()), self.text(data, "beslut", ())
        rules = data.get("regel")
        if not isinstance(rules, list) or not rules:
            raise self.fail(("regel",), "Planen saknar regler: skriv minst en [[regel]].")
        parsed = tuple(self.rule(table, i) for i, table in enumerate(rules))
        seen: set[str] = set()
        for i, rule in enumerate(parsed):
            if rule.id in seen:
                raise self.fail(("regel", i, "id"), f"Regeln '{rule.id}' finns redan.")
            seen.add(rule.id)
        return RetentionPlan(plan_id, decision, parsed)


def parse_plan(text: str, source: str = "gallringsplanen") -> RetentionPlan:
    """A plan from TOML text; :class:`RetentionError` names the line of a mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, problem = translate_syntax_error(str(exc), text)
        raise RetentionError(source, line, problem) from None
    return _Reader(text, source).plan(data)


def load_plan(path: Path) -> RetentionPlan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RetentionError(str(path), None, f"Filen kan inte läsas ({exc.strerror}).") from None
    return parse_plan(text, str(path))


def bundled_plan() -> RetentionPlan:
    text = (files("samverkan.rules.retention") / BUNDLED).read_text(encoding="utf-8")
    return parse_plan(text, BUNDLED)
