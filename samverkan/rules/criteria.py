"""Judging an application against the model's criteria (SPEC §3), as a pure function.

The thresholds and the Swedish wording come from the rule set; this module only decides which
case applies (met, missing, too short, …) and which facts fill the text. Each result keeps the
case keys and the facts, so the request for more information (``komplettering.py``) can be
worded from the same facts later without evaluating again.

Decisions the SPEC leaves open, documented here:

- ``overlapp`` with no known area is ``met``, with a reason saying it cannot be checked yet;
  the missing area is already asked for under ``omrade``.
- ``sokande``: an organisation number whose validity intake did not establish
  (``orgnr_valid`` None) is treated like an invalid one: the actor is asked to check it.
- ``omrade`` or ``aktorer`` configured as non-blocking turn ``not_met`` into ``warning``, since
  only blocking criteria may be ``not_met``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from samverkan.rules.model import ActorCategory, Application, Area, SupportForm, SupportRequest
from samverkan.rules.ruleset import CriterionRule, RuleSet
from samverkan.rules.text import format_sek, plural


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    MISSING = "missing"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


class Outcome(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    NOT_ELIGIBLE = "not_eligible"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.MET: "uppfyllt",
    Status.NOT_MET: "ej uppfyllt",
    Status.MISSING: "uppgift saknas",
    Status.WARNING: "varning",
}
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.COMPLETE: "komplett",
    Outcome.INCOMPLETE: "ofullständig",
    Outcome.NOT_ELIGIBLE: "ej stödberättigad",
}
ACTOR_LABELS: dict[ActorCategory, str] = {
    ActorCategory.FASTIGHETSAGARE: "fastighetsägare",
    ActorCategory.NARINGSLIV: "näringsliv",
    ActorCategory.CIVILSAMHALLE: "civilsamhälle",
    ActorCategory.BOENDE: "boende",
    ActorCategory.OFFENTLIG: "offentlig aktör",
}
FORM_LABELS: dict[SupportForm, str] = {
    SupportForm.FINANSIERING: "finansiering",
    SupportForm.PERSONAL: "personal",
    SupportForm.PROCESSTOD: "processtöd",
    SupportForm.OVRIGT: "övrigt",
}
_MONTHS_SV = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's verdict.

    ``cases`` are the rule-set text keys the reason was built from (for example
    ``("invalid_orgnr",)``) and ``facts`` the values that filled them.
    """

    id: str
    status: Status
    blocking: bool
    reason: str
    cases: tuple[str, ...] = ()
    facts: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    """The criterion's Swedish name from the rule set, for listings and the memo."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "blocking": self.blocking,
            "reason": self.reason,
            "name": self.name,
            "cases": list(self.cases),
            "facts": dict(self.facts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CriterionResult:
        return cls(
            id=data["id"],
            status=Status(data["status"]),
            blocking=bool(data["blocking"]),
            reason=data["reason"],
            cases=tuple(data.get("cases", ())),
            facts=dict(data.get("facts", {})),
            name=data.get("name") or data["id"],
        )


@dataclass(frozen=True)
class Evaluation:
    """The verdict on one application, tagged with the id of the rule set that made it."""

    ruleset: str
    outcome: Outcome
    results: tuple[CriterionResult, ...]

    def result(self, criterion_id: str) -> CriterionResult:
        for r in self.results:
            if r.id == criterion_id:
                return r
        raise KeyError(criterion_id)

    def to_dict(self) -> dict[str, Any]:
        """The ``criteria`` object of ``samverkan show --json`` (SPEC §4)."""
        return {
            "ruleset": self.ruleset,
            "outcome": self.outcome.value,
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            ruleset=data["ruleset"],
            outcome=Outcome(data["outcome"]),
            results=tuple(CriterionResult.from_dict(r) for r in data["results"]),
        )


@dataclass(frozen=True)
class ExistingProcess:
    """A collaboration already running outside the case system (for example BID Sofielund)."""

    name: str
    areas: tuple[Area, ...]
    contact: str | None = None


@dataclass(frozen=True)
class ActiveCase:
    """Another open case; the caller leaves out the case being evaluated."""

    ref: str
    area: Area


@dataclass(frozen=True)
class CoordinationContext:
    """What else is going on in the city, for the ``overlapp`` criterion."""

    processes: Sequence[ExistingProcess] = ()
    active_cases: Sequence[ActiveCase] = ()
    active_total: int | None = None
    """How many open cases overlap when ``active_cases`` holds only the newest of them (the
    caller read a page of them); None: ``active_cases`` is all of them."""
    more_than_total: bool = False
    """True when there are more than ``active_total`` (the count stopped at its bound)."""


# --- wording helpers (shared with the memo) -------------------------------------------------


def short_quote(text: str, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, cut at a word, for quoting in a reason."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def format_date_sv(day: date) -> str:
    """Swedish style: ``1 mars 2026``."""
    return f"{day.day} {_MONTHS_SV[day.month - 1]} {day.year}"


def join_sv(items: Sequence[str]) -> str:
    """``a``, ``a och b``, ``a, b och c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def describe_support(support: Sequence[SupportRequest]) -> list[str]:
    """Each support form as the official reads it, e.g. ``finansiering (350 000 kr)``."""
    out = []
    for s in support:
        label = FORM_LABELS[s.form]
        if s.amount_sek:
            label += f" ({format_sek(s.amount_sek)})"
        elif s.hours:
            label += f" ({s.hours} timmar)"
        elif s.text:
            label += f" (”{short_quote(s.text, 60)}”)"
        out.append(label)
    return out


def describe_timeframe(start: date | None, months: int | None) -> str:
    if start and months:
        return f"{months} månader från {format_date_sv(start)}"
    if months:
        return f"{months} månader"
    if start:
        return f"start {format_date_sv(start)}"
    return ""


# --- evaluation -----------------------------------------------------------------------------


def evaluate(app: Application, rules: RuleSet, context: CoordinationContext) -> Evaluation:
    """Judge ``app`` by every criterion of ``rules``; the outcome follows SPEC §3."""
    results = tuple(_CHECKS[rule.id](_Check(app, rules, rule, context)) for rule in rules.criteria)
    if any(r.blocking and r.status is Status.NOT_MET for r in results):
        outcome = Outcome.NOT_ELIGIBLE
    elif any(r.status is Status.MISSING for r in results):
        outcome = Outcome.INCOMPLETE
    else:
        outcome = Outcome.COMPLETE
    return Evaluation(ruleset=rules.id, outcome=outcome, results=results)


@dataclass(frozen=True)
class _Check:
    app: Application
    rules: RuleSet
    rule: CriterionRule
    context: CoordinationContext

    def evidence(self, *names: str) -> str:
        for name in names:
            quote = self.app.evidence.get(name, "").strip()
            if quote:
                return self.rules.evidence_text.format(quote=short_quote(quote))
        return ""

    def result(self, status: Status, *cases: str, **facts: str) -> CriterionResult:
        if status is Status.NOT_MET and not self.rule.blocking:
            status = Status.WARNING
        reason = " ".join(self.rule.reasons[c].format(**facts) for c in cases)
        return CriterionResult(
            id=self.rule.id,
            status=status,
            blocking=self.rule.blocking,
            reason=reason,
            cases=cases,
            facts=facts,
            name=self.rule.name,
        )


def _omrade(c: _Check) -> CriterionResult:
    area = c.app.area
    if area is None:
        if c.app.area_text and c.app.area_text.strip():
            return c.result(Status.MISSING, "unresolved", area_text=short_quote(c.app.area_text))
        return c.result(Status.MISSING, "missing")
    evidence = c.evidence("area", "area_text")
    status = Status.MET if area.in_malmo else Status.NOT_MET
    return c.result(status, status.value, area=area.name, evidence=evidence)


def _aktorer(c: _Check) -> CriterionResult:
    minimum = c.rule.int_param("min_categories")
    categories = list(dict.fromkeys(c.app.actors))
    if not categories:
        return c.result(Status.MISSING, "missing", min=str(minimum))
    status = Status.MET if len(categories) >= minimum else Status.NOT_MET
    return c.result(
        status,
        status.value,
        actors=join_sv([ACTOR_LABELS[a] for a in categories]),
        count=str(len(categories)),
        min=str(minimum),
        evidence=c.evidence("actors"),
    )


def _sokande(c: _Check) -> CriterionResult:
    app = c.app
    absent = []
    if not app.organisation:
        absent.append("organisationens namn")
    if not app.orgnr:
        absent.append("organisationsnummer")
    if c.rule.bool_param("require_contact_name") and not app.contact_name:
        absent.append("kontaktpersonens namn")
    if not app.email:
        absent.append("e-postadress till en kontaktperson")
    cases: list[str] = []
    if app.orgnr and app.orgnr_valid is not True:
        cases.append("invalid_orgnr")
    if absent:
        cases.append("missing")
    if cases:
        return c.result(Status.MISSING, *cases, orgnr=app.orgnr or "", absent=join_sv(absent))
    return c.result(
        Status.MET,
        "met",
        organisation=app.organisation or "",
        orgnr=app.orgnr or "",
        email=app.email or "",
        contact_name=app.contact_name or "",
    )


def _text(c: _Check, value: str | None) -> CriterionResult:
    text = (value or "").strip()
    empty = {w.strip().lower() for w in c.rule.words_param("empty_answers")}
    if not text or text.lower().rstrip(".!") in empty:
        return c.result(Status.MISSING, "missing")
    minimum = c.rule.int_param("min_chars")
    if len(text) < minimum:
        return c.result(Status.MISSING, "too_short", text=short_quote(text), min_chars=str(minimum))
    return c.result(Status.MET, "met", text=short_quote(text))


def _tidsram(c: _Check) -> CriterionResult:
    start, months = c.app.start, c.app.duration_months
    if start is None and months is None:
        return c.result(Status.MISSING, "missing")
    limit = c.rule.int_param("warn_above_months")
    facts = {
        "timeframe": describe_timeframe(start, months),
        "evidence": c.evidence("duration_months", "start"),
    }
    if months is not None and months > limit:
        return c.result(Status.WARNING, "warning", months=str(months), max=str(limit), **facts)
    return c.result(Status.MET, "met", **facts)


def _stod(c: _Check) -> CriterionResult:
    support = c.app.support
    if not support:
        return c.result(Status.MISSING, "missing")
    need_amount = set(c.rule.words_param("require_amount_for"))
    lacking = [
        FORM_LABELS[s.form]
        for s in support
        if s.form.value in need_amount
        and not s.amount_sek
        and not (s.form is SupportForm.PERSONAL and s.hours)
    ]
    if lacking:
        return c.result(Status.MISSING, "missing_amount", forms=join_sv(lacking))
    return c.result(
        Status.MET, "met", forms=join_sv(describe_support(support)), evidence=c.evidence("support")
    )


LISTED_CASES = 5
"""Overlapping open cases named in the reason; the rest are counted."""


def _ref_order(ref: str) -> tuple[int | str, ...]:
    """``SAM-2026-10000`` after ``SAM-2026-9999``: the numbers of a reference as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in ref.split("-"))


def _overlapp(c: _Check) -> CriterionResult:
    area = c.app.area
    if area is None:
        return c.result(Status.MET, "unknown_area")
    matches = []
    for process in c.context.processes:
        if any(area.covers(a) for a in process.areas):
            contact = f" (kontakt: {process.contact})" if process.contact else ""
            matches.append(f"{process.name}{contact}")
    cases = [case for case in c.context.active_cases if area.covers(case.area)]
    total = len(cases) if c.context.active_total is None else c.context.active_total
    # The newest few, the rest counted: a busy area must not make every reason (and every
    # stored evaluation) as long as the list of its open cases.
    cases.sort(key=lambda case: _ref_order(case.ref), reverse=True)
    matches += [f"ärende {case.ref} ({case.area.name})" for case in cases[:LISTED_CASES]]
    if total > LISTED_CASES:
        rest = plural(total - LISTED_CASES, "ärende", "ärenden") + " till"
        matches.append(f"fler än {rest}" if c.context.more_than_total else rest)
    if matches:
        return c.result(Status.WARNING, "warning", area=area.name, matches=join_sv(matches))
    return c.result(Status.MET, "met", area=area.name)


_CHECKS: dict[str, Callable[[_Check], CriterionResult]] = {
    "omrade": _omrade,
    "aktorer": _aktorer,
    "sokande": _sokande,
    "syfte": lambda c: _text(c, c.app.purpose),
    "mal": lambda c: _text(c, c.app.goals),
    "tidsram": _tidsram,
    "egen_insats": lambda c: _text(c, c.app.own_contribution),
    "stod": _stod,
    "overlapp": _overlapp,
}
