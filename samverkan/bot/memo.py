"""The committee memo (tjänsteskrivelse) for a case, as Markdown."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.render import render
from samverkan.rules.criteria import Evaluation
from samverkan.rules.memo import MemoCase, memo_view
from samverkan.rules.phases import Phase
from samverkan.storage import cases as case_store
from samverkan.storage.db import session_scope


def memo_markdown(engine: Engine, settings: Settings, ref: str, *, today: date) -> str:
    """Render the memo from the newest evaluation (re-evaluating is intake's job, not ours)."""
    zone = ZoneInfo(settings.timezone)
    with session_scope(engine) as session:
        case = case_store.get_case(session, ref)
        view = case_store.case_view(session, case)
        stored = case_store.latest_evaluation(session, case)
        evaluation = Evaluation.from_dict(
            {"ruleset": stored.ruleset, "outcome": stored.outcome, "results": stored.results}
            if stored
            else {"ruleset": "–", "outcome": "incomplete", "results": []}
        )
        history = tuple(
            f"{h.at.astimezone(zone):%Y-%m-%d} {Phase(h.to_phase).label}: {h.why or '–'}"
            for h in case_store.history(session, case)
        )
        memo_case = MemoCase(
            ref=case.ref,
            title=case.title,
            application=case_store.application_of(case),
            contact_person=view["assigned_to"],
            history=history,
        )
    return render("memo.md.j2", **memo_view(memo_case, evaluation, today))
