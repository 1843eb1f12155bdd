"""Sending mail through Microsoft Graph (``sendMail``) for tenants where SMTP AUTH is off.

The message goes as the MIME the outbox built - base64 in a ``text/plain`` body, which is how
``sendMail`` takes MIME - so headers Samverkan relies on (Message-ID, In-Reply-To, References,
Auto-Submitted) reach the recipient exactly as over SMTP. It is sent from ``GRAPH_MAILBOX``
(a shared mailbox works: the app, not a person, sends), and Exchange keeps a copy in that
mailbox's Sent Items.

The outcome, for a transport to map onto its own results::

    returns            Graph accepted the message (202)
    SendLater          it surely did not go: throttled (with Graph's Retry-After),
                       unreachable, no token, or a refusal that may pass (401/403/5xx)
    SendRefused        it will never go as it is (400: a bad recipient or message)
    anything else      unknown whether it went (a timeout after the request was sent)
"""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx

from samverkan.intake.m365.graph import GraphClient, GraphError, GraphThrottled
from samverkan.intake.m365.token import TokenUnavailable

__all__ = ["GraphSender", "SendLater", "SendRefused"]


class SendLater(Exception):
    """The message did not go; try again (after ``after`` when Graph said so)."""

    def __init__(self, reason: str, after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.after = after


class SendRefused(Exception):
    """Graph refused the message for good."""


class GraphSender:
    """Sends raw MIME as ``client.mailbox``; throttling is handed back, never slept on here."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send(self, mime: bytes) -> None:
        body = base64.b64encode(mime)
        try:
            self.client.request(
                "POST",
                f"{self.client.user}/sendMail",
                content=body,
                headers={"Content-Type": "text/plain"},
            )
        except GraphThrottled as exc:
            after = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else None
            raise SendLater(str(exc), after) from exc
        except GraphError as exc:
            if exc.status in (400, 413, 415):
                raise SendRefused(str(exc)) from exc
            raise SendLater(str(exc)) from exc
        except TokenUnavailable as exc:
            raise SendLater(str(exc)) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # nothing was sent
            raise SendLater(f"Graph kan inte nås: {exc}") from exc
