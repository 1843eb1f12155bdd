"""Draining the outbox over SMTP, with retries that never block intake."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.config import Settings, TlsMode
from samverkan.intake.m365.token import shared_auth, smtp_xoauth2
from samverkan.intake.outbox import FAILED, PENDING, SENT, build_mime, notice_row
from samverkan.storage.db import session_scope
from samverkan.storage.messages import insert_message
from samverkan.storage.models import MessageRow

log = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = 10


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def _connect(settings: Settings) -> smtplib.SMTP:
    host = settings.smtp_host or "localhost"
    if settings.smtp_tls == TlsMode.SSL:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, settings.smtp_port or 465, timeout=30, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, settings.smtp_port or 587, timeout=30)
        if settings.smtp_tls == TlsMode.STARTTLS:
            client.starttls(context=ssl.create_default_context())
    if settings.smtp_user and settings.smtp_password:
        client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
    elif settings.smtp_user and (auth := shared_auth(settings)) is not None:
        smtp_xoauth2(client, settings.smtp_user, auth)
    return client


def send_pending(
    engine: Engine, settings: Settings, now: datetime, *, limit: int = 100
) -> SendReport:
    """Send due outbox e-mail. Each row is claimed with ``SKIP LOCKED`` on PostgreSQL, so
    several instances can drain the same outbox without sending anything twice."""
    report = SendReport()
    if not smtp_configured(settings):
        return report
    with session_scope(engine) as session:
        rows = session.exec(
            select(MessageRow)
            .where(
                MessageRow.direction == "out",
                MessageRow.channel == "email",
                MessageRow.send_state == PENDING,
                col(MessageRow.next_attempt_at) <= now,
            )
            .order_by(col(MessageRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return report
        try:
            client = _connect(settings)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("SMTP-servern svarar inte: %s", exc)
            for row in rows:
                _retry_later(session, row, f"anslutning: {exc}", now, report)
                session.add(row)
            return report
        with client:
            for row in rows:
                row.raw = row.raw or build_mime(row)  # kept: what was sent is on record
                try:
                    client.sendmail(settings.contact_address, [row.recipients or ""], row.raw)
                except (OSError, smtplib.SMTPException) as exc:
                    if _permanent(exc):
                        _give_up(session, row, str(exc), now, report)
                    else:
                        _retry_later(session, row, str(exc), now, report)
                else:
                    row.send_state, row.sent_at, row.last_error = SENT, now, None
                    row.attempts += 1
                    report.sent.append(row.message_id or str(row.id))
                session.add(row)
    return report


def _permanent(exc: Exception) -> bool:
    """A 5xx answer (unknown recipient, refused message) will not change by trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _give_up(
    session: Session, row: MessageRow, error: str, now: datetime, report: SendReport
) -> None:
    """Mark the mail failed and tell the officials, who can reach the applicant another way."""
    row.attempts += 1
    row.last_error = error[:500]
    row.send_state = FAILED
    report.failed.append(row.message_id or str(row.id))
    insert_message(
        session,
        **notice_row(
            case_id=row.case_id,
            kind="mail_failed",
            text=(
                f"E-post till {row.recipients} kunde inte levereras ({row.subject}): {error[:200]}"
            ),
            now=now,
        ),
    )


def _retry_later(
    session: Session, row: MessageRow, error: str, now: datetime, report: SendReport
) -> None:
    if row.attempts + 1 >= MAX_ATTEMPTS:
        _give_up(session, row, error, now, report)
        return
    row.attempts += 1
    row.last_error = error[:500]
    row.next_attempt_at = now + RETRY_DELAYS[min(row.attempts - 1, len(RETRY_DELAYS) - 1)]
    report.retrying.append(row.message_id or str(row.id))
