"""Wiring: the transports and the drainer that the settings make.

``serve``, ``tick`` and ``ingest`` build their :class:`~.drain.Delivery` here and nowhere
else, so every entry point delivers the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.bot.delivery.drain import Delivery
from samverkan.bot.delivery.graph import GraphTransport, graph_sending_configured
from samverkan.bot.delivery.port import Transport
from samverkan.bot.delivery.routing import Places, plan
from samverkan.bot.delivery.smtp import SmtpTransport, smtp_configured
from samverkan.config import Settings
from samverkan.storage import officials
from samverkan.storage.outbox import Routing, UnroutedNotice

__all__ = ["delivery", "email_configured", "smtp_configured", "transports"]


def email_configured(settings: Settings) -> bool:
    """True when e-mail can go out: over SMTP, or through Microsoft Graph."""
    return smtp_configured(settings) or graph_sending_configured(settings)


def transports(settings: Settings) -> dict[str, Transport]:
    """Every transport the settings configure, by name."""
    found: dict[str, Transport] = {}
    if smtp_configured(settings):
        found["email"] = SmtpTransport(settings)
    elif graph_sending_configured(settings):  # Microsoft 365 with SMTP AUTH off
        found["email"] = GraphTransport(settings)
    if settings.slack_bot_token is not None:
        from samverkan.bot.delivery.slack import SlackTransport
        from samverkan.bot.slack import make_client

        found["slack"] = SlackTransport(make_client(settings))
    if settings.teams_service_url or settings.teams_app_id or settings.teams_anonymous:
        # answers in a Teams thread go back through the connector their message came from
        from samverkan.bot.delivery.teams import TeamsTransport

        found["teams"] = TeamsTransport(settings)
    return found


def delivery(
    settings: Settings, engine: Engine, *, using: dict[str, Transport] | None = None
) -> Delivery:
    """The drainer for these settings; ``using`` replaces the configured transports (tests)."""
    return Delivery(
        engine,
        transports(settings) if using is None else using,
        planner=partial(_plan, settings, engine),
    )


def _plan(
    settings: Settings, engine: Engine, notices: Sequence[UnroutedNotice], now: datetime
) -> Routing | None:
    """Route by the officials' registry as it is now: an official added in chat or from the
    CLI while the service runs gets the next notice that concerns them."""
    with Session(engine) as session:
        reached = officials.reachable(session, settings.officials)
    return plan(Places.from_settings(settings, reached), notices, now)
