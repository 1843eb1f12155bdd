"""The one assessor: the rule set, the gazetteer and the coordination context.

Intake judges every application with it, and the chat commands judge a corrected or a new case
with the same one, so a verdict never depends on where the case came from. The judging itself
(:func:`samverkan.rules.criteria.evaluate`) is pure; what the assessor adds is the context it
needs - the registry of running processes and the open cases in related areas - read from
storage and kept at hand where that is safe.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection
from sqlmodel import Session

from samverkan.config import Settings
from samverkan.rules.criteria import (
    ActiveCase,
    CoordinationContext,
    Evaluation,
    ExistingProcess,
    evaluate,
)
from samverkan.rules.gazetteer import Gazetteer
from samverkan.rules.komplettering import missing_items
from samverkan.rules.model import Application, Area
from samverkan.rules.phases import TERMINAL
from samverkan.rules.ruleset import RuleSet, bundled_ruleset_path, load_ruleset
from samverkan.storage.cases import active_cases_in
from samverkan.storage.reference import active_processes

PROCESS_CACHE_SECONDS = 10.0
AREA_CACHE_SIZE = 10_000  # names come from the gazetteer or the actors' own words
ACTIVE_CACHE_CASES = 20_000  # open cases a transaction keeps at hand (a few MB at most)
CLOSED = tuple(p.value for p in TERMINAL)


def load_rules(settings: Settings) -> RuleSet:
    """The configured rule set, or the bundled one; a broken file raises ``RuleSetError``."""
    return load_ruleset(settings.rules_file or bundled_ruleset_path())


_ActiveCases = list[tuple[str, int, ActiveCase]]  # (area name, case id, case), as stored


@dataclass
class OpenCases:
    """The open cases per set of related areas already read in one transaction.

    Kept up to date as cases open, move or close in that transaction, so a batch of messages
    asks the database for the cases of an area once. It lives as long as its transaction: what
    another transaction commits meanwhile is not seen, as a query in this one would not see it.
    """

    _by_names: dict[tuple[str, ...], _ActiveCases] = field(default_factory=dict)

    def get(self, names: tuple[str, ...]) -> _ActiveCases | None:
        return self._by_names.get(names)

    def keep(self, names: tuple[str, ...], cases: _ActiveCases) -> None:
        """Keep what was read, unless that would hold more than a bounded number of cases."""
        if sum(map(len, self._by_names.values())) + len(cases) <= ACTIVE_CACHE_CASES:
            self._by_names[names] = cases

    def changed(self, case_id: int, area: str | None, case: ActiveCase | None) -> None:
        """A case's area or phase changed: it is found where its new area is, if still open."""
        for cases in self._by_names.values():
            cases[:] = [c for c in cases if c[1] != case_id]
        if area is not None and case is not None:
            self.opened(area, case_id, case)

    def opened(self, area: str, case_id: int, case: ActiveCase) -> None:
        """A case opened in ``area``: add it where a query would now find it, in its order."""
        for names, cases in self._by_names.items():
            if area in names:
                bisect.insort(cases, (area, case_id, case), key=lambda c: (c[0], c[1]))


class Assessor:
    """Judges applications: the rule set, the gazetteer and what else goes on in the city."""

    def __init__(self, rules: RuleSet, gazetteer: Gazetteer | None = None) -> None:
        self.rules = rules
        self.gazetteer = gazetteer or Gazetteer.bundled()
        self._related: dict[str, list[str]] = {}
        self._areas: dict[str, Area] = {}
        self._process_cache: tuple[float, list[ExistingProcess] | None] = (0.0, None)

    @classmethod
    def configured(cls, settings: Settings) -> Assessor:
        """The configured rule set and the bundled gazetteer; raises ``RuleSetError``."""
        return cls(load_rules(settings))

    def resolve_area(self, written: str) -> Area | None:
        """The gazetteer's area for an official's or an actor's words, if any."""
        return self.gazetteer.resolve(written)

    def missing(self, evaluation: Evaluation) -> list[str]:
        """What to ask the actor for, in the words of this rule set."""
        return missing_items(evaluation, self.rules)

    def evaluate(
        self,
        conn: Connection,
        app: Application,
        *,
        case_id: int | None = None,
        open_cases: OpenCases | None = None,
    ) -> Evaluation:
        """Judge ``app`` (the case ``case_id``, or a new one) against what else is going on."""
        return evaluate(app, self.rules, self.context(conn, app, case_id, open_cases))

    def context(
        self,
        conn: Connection,
        app: Application,
        case_id: int | None = None,
        open_cases: OpenCases | None = None,
    ) -> CoordinationContext:
        """The processes and the other open cases an application may need to coordinate with."""
        processes = self._processes(conn)
        if app.area is None or not app.area.in_malmo:
            return CoordinationContext(processes=processes)
        # Only cases in a related area can overlap; asking for those keeps this step from
        # growing with the number of all cases.
        names = tuple(self._related_names(app.area))
        others = open_cases.get(names) if open_cases is not None else None
        if others is None:
            others = [
                (name, other, self.active_case(ref, name))
                for name, other, ref in active_cases_in(conn, names, closed=CLOSED)
            ]
            if open_cases is not None:
                open_cases.keep(names, others)
        active = [a for _, other, a in others if other != case_id]
        return CoordinationContext(processes=processes, active_cases=active)

    def active_case(self, ref: str, area_name: str) -> ActiveCase:
        return ActiveCase(ref=ref, area=self._area(area_name))

    def _processes(self, conn: Connection) -> list[ExistingProcess]:
        """The registry, re-read at most every few seconds (it changes a few times a year)."""
        fresh_at, cached = self._process_cache
        if cached is None or time.monotonic() - fresh_at > PROCESS_CACHE_SECONDS:
            with Session(bind=conn) as session:
                cached = [
                    ExistingProcess(
                        name=p.name, areas=tuple(self._area(a) for a in p.areas), contact=p.contact
                    )
                    for p in active_processes(session)
                ]
            self._process_cache = (time.monotonic(), cached)
        return cached

    def _area(self, name: str) -> Area:
        """Cached: the overlap check asks for the area of every active case in the area."""
        area = self._areas.get(name)
        if area is None:
            area = self.gazetteer.resolve(name) or Area(name, True)
            if len(self._areas) < AREA_CACHE_SIZE:
                self._areas[name] = area
        return area

    def _related_names(self, area: Area) -> list[str]:
        """Names of every area that is, contains or lies inside ``area``."""
        if area.name not in self._related:
            self._related[area.name] = sorted(
                {area.name, *area.parents}
                | {a.name for a in self.gazetteer.areas() if area.name in a.parents}
            )
        return self._related[area.name]
