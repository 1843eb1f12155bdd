"""The rule set: the model's criteria as an editable file, validated before it is used.

An official changes a threshold, a word list or a reason text in a TOML file without a
release. Because that person is not a programmer, every mistake in the file is refused as a
whole (never a half-loaded rule set) with a Swedish message that names the file and the line.

What a file may contain is described here (``SCHEMA``); what the criteria mean is in
``criteria.py``. Errors::

    Exception
     └── RuleSetError   the file cannot be used; ``str()`` is ``"<file>, rad <n>: <problem>"``
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from samverkan.rules.model import SupportForm
from samverkan.rules.tomllines import key_lines, translate_syntax_error

ParamValue = int | bool | tuple[str, ...]


class RuleSetError(Exception):
    """A rule-set file that cannot be used, with the line to look at."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}, rad {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


# --- what a file may say ----------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    """One editable parameter: its kind (``int``, ``bool``, ``words`` or ``forms``)."""

    kind: str
    minimum: int = 0
    maximum: int | None = None


@dataclass(frozen=True)
class CriterionSpec:
    """What the code of one criterion needs from the file.

    ``reasons`` and ``requests`` map each text's key to the placeholders it may use; every
    key must be present, because the evaluation may need any of them.
    """

    may_block: bool
    params: Mapping[str, ParamSpec] = field(default_factory=dict)
    reasons: Mapping[str, frozenset[str]] = field(default_factory=dict)
    requests: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _ph(*names: str) -> frozenset[str]:
    return frozenset(names)


_TEXT_PARAMS = {"min_chars": ParamSpec("int", minimum=1), "empty_answers": ParamSpec("words")}
_TEXT_REASONS = {
    "met": _ph("text"),
    "missing": _ph(),
    "too_short": _ph("text", "min_chars"),
}
_TEXT_REQUESTS = {"missing": _ph(), "too_short": _ph("text", "min_chars")}

SCHEMA: dict[str, CriterionSpec] = {
    "omrade": CriterionSpec(
        may_block=True,
        reasons={
            "met": _ph("area", "evidence"),
            "not_met": _ph("area", "evidence"),
            "missing": _ph(),
            "unresolved": _ph("area_text"),
        },
        requests={"missing": _ph(), "unresolved": _ph("area_text")},
    ),
    "aktorer": CriterionSpec(
        may_block=True,
        params={"min_categories": ParamSpec("int", minimum=1, maximum=5)},
        reasons={
            "met": _ph("actors", "count", "min", "evidence"),
            "not_met": _ph("actors", "count", "min", "evidence"),
            "missing": _ph("min"),
        },
        requests={"missing": _ph("min")},
    ),
    "sokande": CriterionSpec(
        may_block=False,
        params={"require_contact_name": ParamSpec("bool")},
        reasons={
            "met": _ph("organisation", "orgnr", "email", "contact_name"),
            "invalid_orgnr": _ph("orgnr"),
            "missing": _ph("absent"),
        },
        requests={"invalid_orgnr": _ph("orgnr"), "missing": _ph("absent")},
    ),
    "syfte": CriterionSpec(
        may_block=False, params=_TEXT_PARAMS, reasons=_TEXT_REASONS, requests=_TEXT_REQUESTS
    ),
    "mal": CriterionSpec(
        may_block=False, params=_TEXT_PARAMS, reasons=_TEXT_REASONS, requests=_TEXT_REQUESTS
    ),
    "tidsram": CriterionSpec(
        may_block=False,
        params={"warn_above_months": ParamSpec("int", minimum=1)},
        reasons={
            "met": _ph("timeframe", "evidence"),
            "warning": _ph("timeframe", "months", "max", "evidence"),
            "missing": _ph(),
        },
        requests={"missing": _ph()},
    ),
    "egen_insats": CriterionSpec(
        may_block=False, params=_TEXT_PARAMS, reasons=_TEXT_REASONS, requests=_TEXT_REQUESTS
    ),
    "stod": CriterionSpec(
        may_block=False,
        params={"require_amount_for": ParamSpec("forms")},
        reasons={
            "met": _ph("forms", "evidence"),
            "missing": _ph(),
            "missing_amount": _ph("forms"),
        },
        requests={"missing": _ph(), "missing_amount": _ph("forms")},
    ),
    "overlapp": CriterionSpec(
        may_block=False,
        reasons={
            "met": _ph("area"),
            "warning": _ph("area", "matches"),
            "unknown_area": _ph(),
        },
    ),
}
"""Criterion id -> what its file entry must hold, in the order of SPEC §3."""

CRITERION_IDS: tuple[str, ...] = tuple(SCHEMA)

_TOP_KEYS = ("id", "effective", "title", "texts", "criteria")
_CRITERION_KEYS = ("name", "blocking", "params", "reasons", "requests")
_TEXT_KEYS = {"evidence": _ph("quote")}


# --- the loaded rule set ----------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRule:
    """One criterion as the file configures it."""

    id: str
    name: str
    blocking: bool
    params: Mapping[str, ParamValue]
    reasons: Mapping[str, str]
    requests: Mapping[str, str]

    def int_param(self, name: str) -> int:
        value = self.params[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{self.id}.{name} is not an integer")
        return value

    def bool_param(self, name: str) -> bool:
        value = self.params[name]
        if not isinstance(value, bool):
            raise TypeError(f"{self.id}.{name} is not a boolean")
        return value

    def words_param(self, name: str) -> tuple[str, ...]:
        value = self.params[name]
        if not isinstance(value, tuple):
            raise TypeError(f"{self.id}.{name} is not a list")
        return value


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set; ``criteria`` is in the order of SPEC §3."""

    id: str
    effective: date
    title: str
    evidence_text: str
    """How a quote from the application is attached to a reason (placeholder ``{quote}``)."""
    criteria: tuple[CriterionRule, ...]
    source: str = ""

    def criterion(self, criterion_id: str) -> CriterionRule:
        for rule in self.criteria:
            if rule.id == criterion_id:
                return rule
        raise KeyError(criterion_id)


def bundled_ruleset_path() -> Path:
    """The rule set shipped with the package, used unless ``SAMVERKAN_RULES_FILE`` says else."""
    return Path(__file__).with_name("rulesets") / "2020-08-25.1.toml"


def load_ruleset(path: str | Path) -> RuleSet:
    """Read and validate a rule-set file; raise :class:`RuleSetError` on any mistake."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleSetError(source, None, "Filen finns inte.") from None
    except UnicodeDecodeError:
        raise RuleSetError(
            source, None, "Filen är inte sparad som UTF-8. Spara om den med teckenkodning UTF-8."
        ) from None
    except OSError as exc:
        raise RuleSetError(source, None, f"Filen kan inte läsas ({exc.strerror}).") from None
    return parse_ruleset(text, source)


def parse_ruleset(text: str, source: str = "<regelfil>") -> RuleSet:
    """Validate rule-set text; ``source`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, problem = translate_syntax_error(str(exc), text)
        raise RuleSetError(source, line, problem) from None
    return _Validator(text, source).ruleset(data)


# --- validation -------------------------------------------------------------------------


_KIND_WORDS = {
    "int": "ett heltal, till exempel 36",
    "bool": "true eller false (utan citattecken)",
    "words": 'en lista med texter, till exempel ["vet ej", "inga"]',
    "forms": 'en lista med stödformer, till exempel ["finansiering"]',
    "str": 'en text inom citattecken, till exempel "Området"',
    "table": "en tabell (en rubrik inom hakparenteser)",
    "date": "ett datum utan citattecken, till exempel 2020-08-25",
}


def _join_sv(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " och " + names[-1] if len(names) > 1 else "".join(names)


def _join(names: Any) -> str:
    return ", ".join(str(n) for n in names)


class _Validator:
    """Walks the parsed file once; the first mistake found is raised with its line."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = key_lines(text)

    def fail(self, path: tuple[str, ...], problem: str) -> RuleSetError:
        return RuleSetError(self.source, self.line_of(path), problem)

    def line_of(self, path: tuple[str, ...]) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def ruleset(self, data: dict[str, Any]) -> RuleSet:
        for key in data:
            if key not in _TOP_KEYS:
                raise self.fail((key,), f"Okänd inställning ”{key}”. Tillåtna: {_join(_TOP_KEYS)}.")
        for key in ("id", "effective", "criteria"):
            if key not in data:
                raise self.fail((), f"Inställningen ”{key}” saknas.")
        rs_id = self.string(data, ("id",))
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]*", rs_id):
            raise self.fail(
                ("id",),
                f"Id ”{rs_id}” får bara innehålla bokstäver a–z, siffror, punkt och bindestreck, "
                "till exempel ”2020-08-25.1”.",
            )
        effective = data["effective"]
        if isinstance(effective, datetime) or not isinstance(effective, date):
            raise self.fail(("effective",), f"”effective” ska vara {_KIND_WORDS['date']}.")
        title = self.string(data, ("title",)) if "title" in data else ""
        texts = self.table(data.get("texts", {}), ("texts",))
        evidence_text = self.texts(texts, ("texts",), _TEXT_KEYS)["evidence"]
        criteria = self.table(data["criteria"], ("criteria",))
        for cid in criteria:
            if cid not in SCHEMA:
                raise self.fail(
                    ("criteria", cid),
                    f"Kriteriet ”{cid}” finns inte. Giltiga kriterier: {_join(CRITERION_IDS)}.",
                )
        rules = []
        for cid in CRITERION_IDS:
            if cid not in criteria:
                raise self.fail(("criteria",), f"Kriteriet ”{cid}” saknas i filen.")
            rules.append(self.criterion(cid, criteria[cid]))
        return RuleSet(
            id=rs_id,
            effective=effective,
            title=title,
            evidence_text=evidence_text,
            criteria=tuple(rules),
            source=self.source,
        )

    def criterion(self, cid: str, raw: Any) -> CriterionRule:
        spec = SCHEMA[cid]
        path = ("criteria", cid)
        entry = self.table(raw, path)
        for key in entry:
            if key not in _CRITERION_KEYS:
                raise self.fail(
                    (*path, key),
                    f"Okänd inställning ”{key}” i kriteriet {cid}. "
                    f"Tillåtna: {_join(_CRITERION_KEYS)}.",
                )
        for key in ("name", "blocking", "reasons"):
            if key not in entry:
                raise self.fail(path, f"Kriteriet {cid} saknar inställningen ”{key}”.")
        name = self.string(entry, (*path, "name"))
        blocking = entry["blocking"]
        if not isinstance(blocking, bool):
            raise self.fail((*path, "blocking"), f"”blocking” ska vara {_KIND_WORDS['bool']}.")
        if blocking and not spec.may_block:
            raise self.fail(
                (*path, "blocking"),
                f"Kriteriet {cid} får inte vara blockerande: enligt modellen kan bara "
                f"{_join_sv([c for c, s in SCHEMA.items() if s.may_block])} blockera. "
                "Skriv blocking = false.",
            )
        params = self.params(cid, self.table(entry.get("params", {}), (*path, "params")))
        reasons = self.texts(
            self.table(entry["reasons"], (*path, "reasons")), (*path, "reasons"), spec.reasons
        )
        requests = self.texts(
            self.table(entry.get("requests", {}), (*path, "requests")),
            (*path, "requests"),
            spec.requests,
        )
        return CriterionRule(cid, name, blocking, params, reasons, requests)

    def params(self, cid: str, raw: dict[str, Any]) -> dict[str, ParamValue]:
        spec = SCHEMA[cid].params
        path = ("criteria", cid, "params")
        for key in raw:
            if key not in spec:
                allowed = _join(spec) if spec else "inga"
                raise self.fail(
                    (*path, key),
                    f"Okänd parameter ”{key}” för kriteriet {cid}. Tillåtna parametrar: {allowed}.",
                )
        out: dict[str, ParamValue] = {}
        for key, pspec in spec.items():
            if key not in raw:
                raise self.fail(path, f"Kriteriet {cid} saknar parametern ”{key}”.")
            out[key] = self.param((*path, key), raw[key], pspec)
        return out

    def param(self, path: tuple[str, ...], value: Any, spec: ParamSpec) -> ParamValue:
        name = path[-1]
        wrong = self.fail(path, f"Parametern ”{name}” ska vara {_KIND_WORDS[spec.kind]}.")
        if spec.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise wrong
            if value < spec.minimum or (spec.maximum is not None and value > spec.maximum):
                top = f" och högst {spec.maximum}" if spec.maximum is not None else ""
                raise self.fail(
                    path, f"Parametern ”{name}” ska vara minst {spec.minimum}{top} (nu {value})."
                )
            return value
        if spec.kind == "bool":
            if not isinstance(value, bool):
                raise wrong
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong
        if spec.kind == "forms":
            known = [f.value for f in SupportForm]
            for v in value:
                if v not in known:
                    raise self.fail(
                        path,
                        f"Okänd stödform ”{v}” i ”{name}”. Giltiga stödformer: {_join(known)}.",
                    )
        return tuple(value)

    def texts(
        self, raw: dict[str, Any], path: tuple[str, ...], spec: Mapping[str, frozenset[str]]
    ) -> dict[str, str]:
        for key in raw:
            if key not in spec:
                raise self.fail(
                    (*path, key),
                    f"Okänd text ”{key}”. Tillåtna texter här: {_join(spec) or 'inga'}.",
                )
        out: dict[str, str] = {}
        for key, allowed in spec.items():
            if key not in raw:
                raise self.fail(path, f"Texten ”{key}” saknas under [{'.'.join(path)}].")
            template = self.string(raw, (*path, key))
            self.check_placeholders((*path, key), template, allowed)
            out[key] = template
        return out

    def check_placeholders(
        self, path: tuple[str, ...], template: str, allowed: frozenset[str]
    ) -> None:
        offered = (
            f"Tillgängliga: {_join('{' + a + '}' for a in sorted(allowed))}."
            if allowed
            else "Den här texten har inga platshållare."
        )
        try:
            parts = list(string.Formatter().parse(template))
        except ValueError:
            raise self.fail(
                path,
                f"Texten ”{path[-1]}” har en ensam klammerparentes {{ eller }}. "
                "Platshållare skrivs som {namn}; en vanlig klammer skrivs {{ eller }}. " + offered,
            ) from None
        for _literal, fname, spec, conversion in parts:
            if fname is None:
                continue
            if fname not in allowed or spec or conversion:
                raise self.fail(
                    path, f"Okänd platshållare {{{fname}}} i texten ”{path[-1]}”. {offered}"
                )

    def string(self, data: dict[str, Any], path: tuple[str, ...]) -> str:
        value = data[path[-1]]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"”{path[-1]}” ska vara {_KIND_WORDS['str']} och inte vara tom.")
        return value

    def table(self, value: Any, path: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"”{'.'.join(path)}” ska vara {_KIND_WORDS['table']}.")
        return value


# --- listing --------------------------------------------------------------------------------


def _show(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "[" + ", ".join(f'"{v}"' for v in value) + "]"


def describe_ruleset(rs: RuleSet) -> str:
    """The listing ``samverkan rules check FILE`` prints for a valid file."""
    out = [f"Regeluppsättning {rs.id}, gäller från {rs.effective.isoformat()}"]
    if rs.title:
        out.append(rs.title)
    width = max(len(r.id) for r in rs.criteria)
    for rule in rs.criteria:
        flag = "blockerande" if rule.blocking else "ej blockerande"
        params = ", ".join(f"{k} = {_show(v)}" for k, v in rule.params.items())
        line = f"  {rule.id:<{width}}  {rule.name} ({flag})"
        out.append(f"{line}; {params}" if params else line)
    return "\n".join(out)
