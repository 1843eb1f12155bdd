"""The daily intake-health message: what it says, that it goes once a day, and where it goes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from samverkan.bot.delivery.fake import FakeTransport
from samverkan.bot.delivery.setup import delivery
from samverkan.bot.intake_health import Mailbox, queue_daily_report
from samverkan.config import Settings
from samverkan.intake.feeders.watching import HealthState, MailboxHealth
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import session_scope
from samverkan.storage.messages import insert_message
from samverkan.storage.models import MessageRow
from samverkan.storage.outbox import notice_values

DOWN = Mailbox(
    MailboxHealth(HealthState.UNREACHABLE, "anslutningen vägrades", None), True, "host:1:a"
)


def certificate(path: Path, not_after: datetime) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "samverkan")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(not_after - timedelta(days=365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem + cert.public_bytes(serialization.Encoding.PEM))
    return path


def reports(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(MessageRow).where(MessageRow.kind == "intake_health")).all()
        return [str(r.body_text) for r in rows]


def test_the_report_names_the_mailbox_credentials_quarantine_and_failed_sends(
    engine: Engine, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    Intake(engine, settings, clock=lambda: now).process(b"\x00 not mail", source="x.eml")
    with session_scope(engine) as session:
        failed = notice_values(case_id=None, text="t", kind="x", now=now, to="slack:C0")
        insert_message(session, **{**failed, "send_state": "failed"})
    pem = certificate(tmp_path / "m365.pem", now + timedelta(days=10))
    configured = settings.model_copy(update={"m365_certificate_file": pem})

    text = queue_daily_report(engine, configured, now, DOWN, None, holder="host:1:a")

    assert text is not None
    assert reports(engine) == [text]
    assert "Brevlådan: INTE nåbar (unreachable)" in text
    assert "anslutningen vägrades" in text
    assert "Microsoft 365-certifikatet (M365_CERTIFICATE_FILE) går ut 2026-03-12" in text
    assert "Karantän: 1 meddelande senaste dygnet" in text
    assert "Utkorgen: 1 utskick kunde inte skickas" in text


def test_once_a_day_among_instances_and_from_the_one_reading_the_mailbox(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    reading = Mailbox(MailboxHealth(HealthState.OK, None, now), True, "a")
    standby = Mailbox(MailboxHealth(HealthState.STANDBY), False, "a")
    assert queue_daily_report(engine, settings, now, standby, None, holder="b") is None
    text = queue_daily_report(engine, settings, now, reading, None, holder="a")
    assert text is not None
    assert "Brevlådan: nåbar (senast läst 2026-03-02 10:30), läses av a." in text
    assert "Utkorgen: inget misslyckat utskick." in text
    later = now + timedelta(hours=3)
    assert queue_daily_report(engine, settings, later, reading, None, holder="a") is None
    nobody = Mailbox(None, False, None)  # an instance without a watcher, none reading
    assert queue_daily_report(engine, settings, later, nobody, None, holder="c") is None
    tomorrow = now + timedelta(days=1)
    again = queue_daily_report(engine, settings, tomorrow, nobody, None, holder="c")
    assert again is not None
    assert "Brevlådan: ingen instans läser den just nu." in again
    assert len(reports(engine)) == 2


def test_the_report_goes_to_the_officials_channel(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    slack = settings.model_copy(
        update={"slack_bot_token": "xoxb-test", "slack_channel": "C0SAMVERKAN"}
    )
    assert queue_daily_report(engine, slack, now, DOWN, None, holder="a") is not None
    fake = FakeTransport("slack")
    delivery(slack, engine, using={"slack": fake}).run(now)
    ((to, text),) = [(i.to, i.text) for i in fake.delivered if i.kind == "intake_health"]
    assert to == "C0SAMVERKAN"
    assert text.startswith("Intagets hälsa 2026-03-02:")
