"""The daily intake-health message to the officials: is mail coming in, and going out?

Once a day (``serve`` schedules it, like the nightly disposal) one notice is queued in the
outbox for the officials' places (their channel in Slack or Teams, or e-mail): whether the
mailbox is reachable and who reads it, credentials that run out soon (the Microsoft 365
certificate, a fixed IMAP token), mail quarantined in the last day, and outgoing messages
that failed or wait for another try. Several instances send it once between them: the one
that reads the mailbox (it knows how the mailbox is), or any one when none does; a row in the
lease table for the day makes sure only one queues it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.feeders.watching import HealthState, MailboxHealth
from samverkan.intake.m365.token import TokenStatus
from samverkan.rules.text import plural
from samverkan.storage import leases, monitoring
from samverkan.storage.db import session_scope
from samverkan.storage.messages import insert_message
from samverkan.storage.outbox import notice_values

log = logging.getLogger(__name__)

KIND = "intake_health"
EXPIRY_WARNING = timedelta(days=30)
"""A credential that runs out sooner than this is named in the message."""
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Mailbox:
    """The mailbox as this instance sees it."""

    health: MailboxHealth | None
    reading_here: bool
    holder: str | None
    """Who holds the mailbox lease (None: nobody)."""


def credential_expiries(settings: Settings) -> list[tuple[str, datetime]]:
    """When the credentials Samverkan cannot renew itself run out: the certificate in
    ``M365_CERTIFICATE_FILE`` and a fixed ``IMAP_OAUTH2_TOKEN`` (when it is a JWT)."""
    found: list[tuple[str, datetime]] = []
    if settings.m365_certificate_file is not None:
        until = _certificate_expiry(settings.m365_certificate_file)
        if until is not None:
            found.append(("Microsoft 365-certifikatet (M365_CERTIFICATE_FILE)", until))
    if settings.imap_oauth2_token is not None:
        until = _token_expiry(settings.imap_oauth2_token.get_secret_value())
        if until is not None:
            found.append(("IMAP-token (IMAP_OAUTH2_TOKEN)", until))
    return found


def _certificate_expiry(path: Path) -> datetime | None:
    from cryptography import x509

    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        log.warning("Kunde inte läsa certifikatet %s: %s", path, exc)
        return None
    return min(c.not_valid_after_utc for c in certificates) if certificates else None


def _token_expiry(token: str) -> datetime | None:
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None  # an opaque token: its expiry cannot be read
    exp = claims.get("exp")
    return datetime.fromtimestamp(exp, tz=UTC) if isinstance(exp, int | float) else None


def _mailbox_line(mailbox: Mailbox, zone: ZoneInfo) -> str:
    if mailbox.health is None:
        if mailbox.holder is None:
            return "Brevlådan: ingen instans läser den just nu."
        return f"Brevlådan: läses av {mailbox.holder}."
    h = mailbox.health
    when = (
        f" (senast läst {h.last_success_at.astimezone(zone):%Y-%m-%d %H:%M})"
        if h.last_success_at
        else ""
    )
    if h.state is HealthState.OK:
        return f"Brevlådan: nåbar{when}, läses av {mailbox.holder or 'den här instansen'}."
    if h.state is HealthState.STANDBY:
        return f"Brevlådan: läses av {mailbox.holder or 'en annan instans'}."
    return f"Brevlådan: INTE nåbar ({h.state.value}){when}: {h.last_error or 'okänt fel'}."


def compose(
    engine: Engine,
    settings: Settings,
    now: datetime,
    mailbox: Mailbox,
    token: TokenStatus | None,
) -> str:
    """The message's text, in Swedish, one line per subject."""
    zone = ZoneInfo(settings.timezone)
    lines = [f"Intagets hälsa {now.astimezone(zone):%Y-%m-%d}:", _mailbox_line(mailbox, zone)]
    if token is not None and not token.ok:
        lines.append(f"Microsoft 365: ingen token kan hämtas: {token.error}")
    for what, until in credential_expiries(settings):
        if until - now < EXPIRY_WARNING:
            ran_out = "gick ut" if until <= now else "går ut"
            lines.append(f"{what} {ran_out} {until.astimezone(zone):%Y-%m-%d}: förnya det.")
    with engine.connect() as conn:
        quarantined = monitoring.quarantined_since(conn, now - DAY)
        trouble = monitoring.outbox_trouble(conn, now - DAY)
    lines.append(
        f"Karantän: {plural(quarantined, 'meddelande', 'meddelanden')} senaste dygnet"
        + (f" (i mappen {settings.imap_quarantine_folder})." if quarantined else ".")
    )
    if trouble.failed or trouble.retrying:
        lines.append(
            f"Utkorgen: {plural(trouble.failed, 'utskick', 'utskick')} kunde inte skickas "
            f"({trouble.failed_recent} av dem senaste dygnet), {trouble.retrying} väntar på "
            "ett nytt försök: samverkan outbox --failed."
        )
    else:
        lines.append("Utkorgen: inget misslyckat utskick.")
    return "\n".join(lines)


def queue_daily_report(
    engine: Engine,
    settings: Settings,
    now: datetime,
    mailbox: Mailbox,
    token: TokenStatus | None,
    *,
    holder: str,
) -> str | None:
    """Queue today's message unless another instance should or did; returns its text."""
    if mailbox.health is not None and not mailbox.reading_here and mailbox.holder is not None:
        return None  # the instance reading the mailbox reports on it
    day = f"{now.astimezone(ZoneInfo(settings.timezone)):%Y-%m-%d}"
    if not leases.claim_once(engine, f"{KIND}:{day}", holder, timedelta(days=2), now):
        return None  # another instance has sent today's
    text = compose(engine, settings, now, mailbox, token)
    with session_scope(engine) as session:
        insert_message(session, **notice_values(case_id=None, text=text, kind=KIND, now=now))
    return text
