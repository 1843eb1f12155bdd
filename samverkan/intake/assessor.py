"""The one assessor: the rule set, the gazetteer and the coordination context.

Intake judges every application with it, and the chat commands judge a corrected or a new case
with the same one, so a verdict never depends on where the case came from. The judging itself
(:func:`samverkan.rules.criteria.evaluate`) is pure; what the assessor adds is the context it
needs - the registry of running processes and the open cases in related areas - read from
storage and kept at hand where that is safe.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection
from sqlmodel import Session

from samverkan.config import Settings
from samverkan.rules.criteria import (
    LISTED_CASES,
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
from samverkan.storage.overlap import overlapping_cases
from samverkan.storage.reference import active_processes

PROCESS_CACHE_SECONDS = 10.0
COUNT_UP_TO = 1000  # overlapping open cases counted exactly; beyond, "more than"
AREA_CACHE_SIZE = 10_000  # names come from the gazetteer or the actors' own words
CLOSED = tuple(p.value for p in TERMINAL)


def load_rules(settings: Settings) -> RuleSet:
    """The configured rule set, or the bundled one; a broken file raises ``RuleSetError``."""
    return load_ruleset(settings.rules_file or bundled_ruleset_path())


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
    ) -> Evaluation:
        """Judge ``app`` (the case ``case_id``, or a new one) against what else is going on."""
        return evaluate(app, self.rules, self.context(conn, app, case_id))

    def context(
        self, conn: Connection, app: Application, case_id: int | None = None
    ) -> CoordinationContext:
        """The processes and the other open cases an application may need to coordinate with.

        Only cases in a related area can overlap, and the reason names only the newest few:
        one indexed query reads those and counts the rest, so this step costs the same at
        ten cases in the area as at ten thousand, and sees the cases a batch has just opened
        in the same transaction.
        """
        processes = self._processes(conn)
        if app.area is None or not app.area.in_malmo:
            return CoordinationContext(processes=processes)
        names = tuple(self._related_names(app.area))
        newest, total = overlapping_cases(
            conn, names, closed=CLOSED, but=case_id, limit=LISTED_CASES, count_up_to=COUNT_UP_TO
        )
        active = [ActiveCase(ref=ref, area=self._area(name)) for name, ref in newest]
        return CoordinationContext(
            processes=processes,
            active_cases=active,
            active_total=min(total, COUNT_UP_TO),
            more_than_total=total > COUNT_UP_TO,
        )

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
