"""The committee memo (tjänsteskrivelse) for a case, as Markdown and as a Word document.

Everything the memo names comes from where it is kept: the registration number from the
registry (a case not yet registered is registered now), the handläggare's name and title from
the officials' registry, the meeting from the committee's calendar (the first one a memo
written the day the case was approved can still reach), the date in local time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.config import Settings
from samverkan.render import render
from samverkan.rules.criteria import Evaluation
from samverkan.rules.memo import MARKDOWN, PLAIN, Escape, MemoCase, memo_view
from samverkan.rules.phases import Phase
from samverkan.rules.text import clean_actor_text
from samverkan.storage import committee, officials, registry
from samverkan.storage.case_view import history, latest_evaluation
from samverkan.storage.cases import get_case
from samverkan.storage.db import session_scope

__all__ = ["memo_docx", "memo_markdown", "memo_parts"]

_UNJUDGED = {"ruleset": "–", "outcome": "incomplete", "results": []}


_ASSIGNED = "kontaktperson: "


def _named(session: Session, why: str | None) -> str:
    """A history line names officials by name, never by a chat id."""
    if not why:
        return "–"
    if why.startswith(_ASSIGNED):
        official = officials.find(session, why.removeprefix(_ASSIGNED))
        name = official.display if official and official.name else "handläggare utan namn"
        return _ASSIGNED + name
    return why


def _memo_case(session: Session, settings: Settings, ref: str, now: datetime) -> MemoCase:
    zone = ZoneInfo(settings.timezone)
    case = get_case(session, ref)
    steps = list(history(session, case))
    lines = tuple(
        f"{h.at.astimezone(zone):%Y-%m-%d} {h.to_phase.label}: {_named(session, h.why)}"
        for h in steps
    )
    sent = [h.at for h in steps if h.to_phase is Phase.NAMND]
    day = (sent[-1] if sent else now).astimezone(zone).date()
    official = officials.find(session, case.assigned_to) if case.assigned_to else None
    return MemoCase(
        ref=case.ref,
        title=case.title,
        application=case.application,
        registration=registry.registration_number(
            session, case, series=settings.diarie_series, now=now
        ),
        official=official,
        contact_person=case.assigned_to,
        history=lines,
        meeting=committee.meeting_for_memo(session, day),
        override=case.override_reason,
        received=case.created_at.astimezone(zone).date(),
    )


def memo_parts(
    engine: Engine, settings: Settings, ref: str, *, now: datetime, escape: Escape = MARKDOWN
) -> dict[str, Any]:
    """The memo's view model from the newest evaluation (re-evaluating is intake's job)."""
    today: date = now.astimezone(ZoneInfo(settings.timezone)).date()
    with session_scope(engine) as session:
        memo_case = _memo_case(session, settings, ref, now)
        stored = latest_evaluation(session, get_case(session, ref))
        evaluation = stored.evaluation if stored else Evaluation.from_dict(_UNJUDGED)
    return memo_view(memo_case, evaluation, today, escape)


def memo_markdown(engine: Engine, settings: Settings, ref: str, *, now: datetime) -> str:
    return render("memo.md.j2", **memo_parts(engine, settings, ref, now=now))


def memo_docx(engine: Engine, settings: Settings, ref: str, *, now: datetime) -> bytes:
    """The memo as a Word document (.docx), the way Swedish offices edit them."""
    from samverkan.bot.memo_docx import build_docx  # python-docx only when asked for

    return build_docx(_cleaned(memo_parts(engine, settings, ref, now=now, escape=PLAIN)))


def _cleaned(value: Any) -> Any:
    """Every string as the templates print it: no control or bidi characters (Word's XML
    takes none), personal identity numbers masked."""
    if isinstance(value, str):
        return clean_actor_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value
