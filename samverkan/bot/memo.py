"""The committee memo (tjänsteskrivelse) for a case, as Markdown."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.render import render
from samverkan.rules.criteria import Evaluation
from samverkan.rules.memo import MemoCase, memo_view
from samverkan.storage.case_view import history, latest_evaluation
from samverkan.storage.cases import get_case
from samverkan.storage.db import session_scope


def memo_markdown(engine: Engine, settings: Settings, ref: str, *, today: date) -> str:
    """Render the memo from the newest evaluation (re-evaluating is intake's job, not ours)."""
    zone = ZoneInfo(settings.timezone)
    with session_scope(engine) as session:
        case = get_case(session, ref)
        stored = latest_evaluation(session, case)
        evaluation = (
            stored.evaluation
            if stored
            else Evaluation.from_dict({"ruleset": "–", "outcome": "incomplete", "results": []})
        )
        steps = tuple(
            f"{h.at.astimezone(zone):%Y-%m-%d} {h.to_phase.label}: {h.why or '–'}"
            for h in history(session, case)
        )
        memo_case = MemoCase(
            ref=case.ref,
            title=case.title,
            application=case.application,
            contact_person=case.assigned_to,
            history=steps,
        )
    return render("memo.md.j2", **memo_view(memo_case, evaluation, today))
