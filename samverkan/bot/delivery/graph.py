"""The e-mail transport over Microsoft Graph (``sendMail``), for tenants where SMTP AUTH is off.

Chosen when no SMTP host is set but Microsoft 365 credentials and ``GRAPH_MAILBOX`` are: the
mail leaves from that mailbox (a shared mailbox works), as the MIME the outbox builds, so it
reads exactly as it would over SMTP; Exchange keeps a copy in the mailbox's Sent Items.
Throttling is not slept on here: Graph's ``Retry-After`` goes back to the drainer as
``Retry(after=…)``, so a busy tenant never holds up a round.
"""

from __future__ import annotations

from samverkan.bot.delivery.mime import build_mime
from samverkan.bot.delivery.port import Delivered, GiveUp, Result, Retry
from samverkan.config import Settings
from samverkan.intake.feeders.graph import GraphConfigError, graph_client
from samverkan.intake.m365.graph import GraphClient
from samverkan.intake.m365.send import GraphSender, SendLater, SendRefused
from samverkan.storage.outbox import OutboxItem

__all__ = ["GraphTransport", "graph_sending_configured"]


def graph_sending_configured(settings: Settings) -> bool:
    """Mail goes through Graph when there is no SMTP host but a Graph mailbox and credentials."""
    return not settings.smtp_host and bool(settings.graph_mailbox) and settings.m365_configured()


class GraphTransport:
    """Sends e-mail items through ``sendMail`` of ``GRAPH_MAILBOX``."""

    name = "email"

    def __init__(self, settings: Settings, *, client: GraphClient | None = None) -> None:
        self.settings = settings
        self._client = client

    def deliver(self, item: OutboxItem) -> Result:
        raw = item.raw or build_mime(item, sender=self.settings.contact_address)
        try:
            if self._client is None:
                self._client = graph_client(self.settings, max_retries=0)
            GraphSender(self._client).send(raw)
        except GraphConfigError as exc:
            return Retry(str(exc))
        except SendLater as exc:
            return Retry(str(exc), after=exc.after)
        except SendRefused as exc:
            return GiveUp(str(exc))
        return Delivered(raw=raw)

    def close(self) -> None:
        """End the round: the next round opens a fresh HTTP connection pool."""
        client, self._client = self._client, None
        if client is not None:
            client.close()
