"""The metrics read from SQL at scrape time (on SQLite and PostgreSQL), and the error count."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from samverkan.bot.metrics import Metrics
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from samverkan.storage.models import MessageRow, ReminderRow
from samverkan.storage.outbox import notice_values
from tests.helpers.intake import COMPLETE, mail

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(metrics: Metrics) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_reminders_outbox_and_cases_are_counted_from_the_database(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    case = intake.process(mail(COMPLETE, message_id="<m-1@x>"), source="a.eml").case
    assert case is not None
    hour = timedelta(hours=1)
    with Session(engine) as session:
        session.exec(delete(ReminderRow))  # type: ignore[call-overload]
        inbound = session.exec(select(MessageRow).where(MessageRow.direction == "in")).one()
        case_id = inbound.case_id
        rows = [
            ("pending", now + hour, None),  # waiting
            ("pending", now - timedelta(minutes=5), None),  # due
            ("pending", now - 3 * hour, None),  # due and overdue
            ("done", now - 2 * hour, now - 2 * hour + timedelta(minutes=1)),  # sent in time
            ("done", now - 5 * hour, now - 2 * hour),  # sent three hours late
            ("cancelled", now - hour, now - hour),
        ]
        for n, (state, due, done) in enumerate(rows):
            session.add(
                ReminderRow(case_id=case_id, kind=f"k{n}", due_at=due, state=state, done_at=done)
            )
        session.execute(
            MessageRow.__table__.insert(),  # type: ignore[attr-defined]
            [
                notice_values(case_id=None, text="t", kind="x", now=now, to="teams:19:abc"),
                notice_values(case_id=None, text="t", kind="x", now=now, to="@samordnare"),
            ],
        )
        session.commit()

    samples = scrape(Metrics(engine, clock=lambda: now))
    reminders = {s: value(samples, "samverkan_reminders", state=s) for s in
                 ("waiting", "due", "sent", "cancelled")}  # fmt: skip
    assert reminders == {"waiting": 1, "due": 2, "sent": 2, "cancelled": 1}
    assert value(samples, "samverkan_reminders_late", state="sent") == 1
    assert value(samples, "samverkan_reminders_late", state="overdue") == 1
    assert value(samples, "samverkan_outbox_items", state="pending", transport="teams") == 1
    # the new-case notice and the one for an audience wait for routing
    assert value(samples, "samverkan_outbox_items", state="pending", transport="unrouted") >= 2
    assert value(samples, "samverkan_outbox_items", state="pending", transport="email") >= 1
    phases = [v for (name, _), v in samples.items() if name == "samverkan_cases"]
    assert sum(phases) == 1
    assert value(samples, "samverkan_database_up") == 1


def test_an_unreachable_database_is_a_figure_not_a_failed_scrape(now: datetime) -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    samples = scrape(Metrics(engine, clock=lambda: now))
    assert value(samples, "samverkan_database_up") == 0
    assert not any(name == "samverkan_cases" for name, _ in samples)


def test_errors_are_counted_by_the_module_that_logged_them(engine: Engine, now: datetime) -> None:
    metrics = Metrics(engine, clock=lambda: now)
    root = logging.getLogger()
    root.addHandler(metrics.error_handler)
    try:
        logging.getLogger("samverkan.bot.serve").error("tick failed")
        logging.getLogger("samverkan.bot.serve").warning("only a warning")
        logging.getLogger("samverkan.intake.feeders.imap").critical("gone")
    finally:
        root.removeHandler(metrics.error_handler)
    samples = scrape(metrics)
    assert value(samples, "samverkan_errors_total", component="bot.serve") == 1
    assert value(samples, "samverkan_errors_total", component="intake.feeders.imap") == 1
