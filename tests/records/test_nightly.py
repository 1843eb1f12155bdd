"""The service runs the disposal every night, from its scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger
from sqlmodel import Session, select

from samverkan.bot.serve import Service
from samverkan.storage.models import DisposalRow, MessageRow
from tests.helpers.chat import Chat
from tests.records.year import arrive, noise_mail


def test_the_scheduler_disposes_nightly(chat: Chat) -> None:
    arrive(chat, noise_mail("bulk", 1), datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    service = Service(chat.settings, chat.engine)
    service.start()
    try:
        job = service.scheduler.get_job("gallring")
        assert job is not None
        assert isinstance(job.trigger, CronTrigger)
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("2", "30")
    finally:
        service.stop()
    service.dispose()  # what the job runs, at the real "now": long after the 3 months
    with Session(chat.engine) as session:
        assert session.exec(select(MessageRow).where(MessageRow.outcome == "ignored")).all() == []
        (logged,) = session.exec(select(DisposalRow)).all()
    assert logged.rule == "brus"
