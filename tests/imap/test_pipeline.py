"""The watcher with the real intake pipeline: cases created, none doubled."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.models import CaseRow, MessageRow
from tests.imap.dovecot import Dovecot
from tests.imap.support import (
    PROCESSED,
    folder_ids,
    make_message,
    settings_for,
    wait_until,
    watcher,
)


def test_the_same_mail_delivered_twice_makes_one_case(
    dovecot: Dovecot, sqlite_url: str, sqlite_engine: Engine
) -> None:
    for raw in (make_message(1), make_message(2), make_message(1)):  # msg-1 arrives twice
        dovecot.append(raw)
    settings = settings_for(dovecot, database_url=sqlite_url)
    intake = Intake(sqlite_engine, Settings(_env_file=None, database_url=sqlite_url))
    w = watcher(settings, sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: len(folder_ids(dovecot, PROCESSED)) == 3)
    finally:
        w.stop()
    with Session(sqlite_engine) as session:
        cases = session.scalars(select(col(CaseRow.ref)).order_by(col(CaseRow.ref))).all()
        messages = session.scalar(select(func.count()).select_from(MessageRow))
    assert len(cases) == 2
    assert messages is not None
    assert messages >= 2  # two inbound (acknowledgements may be queued too)
    assert folder_ids(dovecot, "INBOX") == []
