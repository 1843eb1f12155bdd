"""The transport port: one method that hands one outbox item to the world outside.

Everything that leaves Samverkan — e-mail to actors and officials, Slack posts, Teams
messages — waits in the outbox (``samverkan.storage.outbox``) and is handed over by
:class:`~samverkan.bot.delivery.drain.Delivery`, which owns the state machine and the retry
policy. A transport knows only its platform::

    class Transport(Protocol):
        name: str                                   # "email", "slack", "teams", ...
        def deliver(self, item: OutboxItem) -> Delivered | Retry | GiveUp: ...

and answers with what happened:

``Delivered(external_id=None, raw=None)``
    The platform took it. ``external_id`` is the platform's id of a chat post (kept with the
    item); ``raw`` the bytes of an e-mail as sent (kept on record).
``Retry(error, after=None)``
    It certainly did not go (refused, unreachable, rate-limited) and may go later. The policy
    picks the moment, or ``after`` when the platform said how long to wait.
``GiveUp(error)``
    It will never go as it is (a permanent 5xx, an unknown channel): the item ends ``failed``
    and, for e-mail, the officials are told.

A transport **raises** only when it does not know whether the item went (a timeout after the
request was sent, a bug): the item then ends ``failed`` and is never tried again, because
trying could deliver it twice. A transport that holds a connection may also have
``close()``; the drainer calls it after each round.

Adding a transport (Microsoft Graph mail, a Teams channel, SMS...):

1. Write a class with ``name`` and ``deliver`` in ``samverkan/bot/delivery/<name>.py``;
   escape actor text there, for that platform. Test it against a local stand-in of the
   platform's API, and test the rest of the system with :class:`~.fake.FakeTransport`.
2. Build it from the settings in :func:`samverkan.bot.delivery.setup.transports`
   (``"email"`` is the e-mail transport, whichever carries the mail).
3. If notices should reach it, give :mod:`samverkan.bot.delivery.routing` the destinations
   it serves (``"<name>:<address>"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, runtime_checkable

from samverkan.storage.outbox import OutboxItem

__all__ = ["Closable", "Delivered", "GiveUp", "OutboxItem", "Result", "Retry", "Transport"]


@dataclass(frozen=True)
class Delivered:
    """The platform took the item."""

    external_id: str | None = None
    raw: bytes | None = None


@dataclass(frozen=True)
class Retry:
    """The item surely did not go; it may go later."""

    error: str
    after: timedelta | None = None


@dataclass(frozen=True)
class GiveUp:
    """The item will never go as it is."""

    error: str


Result = Delivered | Retry | GiveUp


class Transport(Protocol):
    """Hands one item to one platform; see the module docstring."""

    name: str

    def deliver(self, item: OutboxItem) -> Result:
        """Deliver ``item``, or say why not; raise only when the outcome is unknown."""
        ...


@runtime_checkable
class Closable(Protocol):
    """A transport that keeps a connection open between items of one round."""

    def close(self) -> None: ...
