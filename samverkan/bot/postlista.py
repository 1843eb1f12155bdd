"""``samverkan postlista``: the public list of registered documents for a period, CSV or HTML.

The registry is brought up to date first (whatever arrived is registered before it is listed);
each line is masked by :func:`samverkan.rules.postlista.public_entry`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.render import render
from samverkan.rules.postlista import COLUMNS, PublicEntry, public_entry
from samverkan.storage.db import session_scope
from samverkan.storage.registry import (
    COMMITTEE,
    documents_between,
    parties,
    register_documents,
)

__all__ = ["postlista_csv", "postlista_entries", "postlista_html"]


def postlista_entries(
    engine: Engine, settings: Settings, start: date, end: date, *, now: datetime
) -> list[PublicEntry]:
    """The public lines for documents dated ``start`` to ``end`` (both days included)."""
    zone = ZoneInfo(settings.timezone)
    lower = datetime.combine(start, time(), zone)
    upper = datetime.combine(end + timedelta(days=1), time(), zone)
    with session_scope(engine) as session:
        register_documents(session, now=now, series=settings.diarie_series)
        session.commit()
        docs = documents_between(session, lower, upper)
        party = parties(session, sorted({d.case_id for d in docs}))
    return [
        public_entry(
            number=d.number,
            day=d.doc_date.astimezone(zone).date(),
            direction=d.direction,
            kind=d.kind,
            counterpart=d.counterpart,
            subject=d.subject,
            secret=d.secret,
            party=party[d.case_id],
        )
        for d in docs
    ]


def postlista_csv(entries: list[PublicEntry]) -> str:
    """Semicolon-separated, as Swedish spreadsheets open it, with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(entry.row() for entry in entries)
    return buffer.getvalue()


def postlista_html(entries: list[PublicEntry], start: date, end: date) -> str:
    return render(
        "postlista.html.j2",
        entries=entries,
        columns=COLUMNS,
        start=start.isoformat(),
        end=end.isoformat(),
        committee=COMMITTEE.lower(),
    )
