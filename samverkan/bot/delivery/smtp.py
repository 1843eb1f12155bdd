"""The e-mail transport over SMTP (STARTTLS, SSL or plain on loopback; optional login).

One connection serves a round of items and is closed by the drainer (``close``). A server
that cannot be reached is tried once per round: the rest of the round is told to retry
without knocking again. A 5xx answer is permanent (unknown recipient, refused message) and
gives up at once; anything else is retried by the policy.
"""

from __future__ import annotations

import smtplib
import ssl

from samverkan.bot.delivery.mime import build_mime
from samverkan.bot.delivery.port import Delivered, GiveUp, Result, Retry
from samverkan.config import Settings, TlsMode
from samverkan.intake.m365.token import shared_auth, smtp_xoauth2
from samverkan.storage.outbox import OutboxItem

__all__ = ["SmtpTransport", "smtp_configured"]


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def _permanent(exc: Exception) -> bool:
    """A 5xx answer will not change by trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


class SmtpTransport:
    """Sends e-mail items through ``SAMVERKAN_SMTP_*`` from the contact address."""

    name = "email"

    def __init__(self, settings: Settings, *, timeout: float = 30) -> None:
        self.settings = settings
        self.timeout = timeout
        self._client: smtplib.SMTP | None = None
        self._down: str | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host = s.smtp_host or "localhost"
        if s.smtp_tls == TlsMode.SSL:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, s.smtp_port or 465, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, s.smtp_port or 587, timeout=self.timeout)
            if s.smtp_tls == TlsMode.STARTTLS:
                client.starttls(context=ssl.create_default_context())
        if s.smtp_user and s.smtp_password:
            client.login(s.smtp_user, s.smtp_password.get_secret_value())
        elif s.smtp_user and (auth := shared_auth(s)) is not None:
            smtp_xoauth2(client, s.smtp_user, auth)  # Microsoft 365 without a password
        return client

    def deliver(self, item: OutboxItem) -> Result:
        if self._down is not None:
            return Retry(self._down)
        if self._client is None:
            try:
                self._client = self._connect()
            except (OSError, smtplib.SMTPException) as exc:
                self._down = f"anslutning: {exc}"
                return Retry(self._down)
        raw = item.raw or build_mime(item, sender=self.settings.contact_address)
        try:
            self._client.sendmail(self.settings.contact_address, [item.to], raw)
        except (OSError, smtplib.SMTPException) as exc:
            if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                self.close()  # the session may be broken; the next item connects again
            return GiveUp(str(exc)) if _permanent(exc) else Retry(str(exc))
        return Delivered(raw=raw)

    def close(self) -> None:
        """End the round: quit the session, and knock again next round."""
        client, self._client, self._down = self._client, None, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
