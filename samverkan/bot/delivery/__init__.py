"""Delivery: everything that leaves Samverkan goes from the outbox through one transport.

- :mod:`.port` — the one-method transport port, and how to add a transport;
- :mod:`.drain` — claim → deliver → sent / retry / failed, for every transport alike;
- :mod:`.policy` — the one retry policy;
- :mod:`.routing` — where a notice goes, and folding floods into one summary;
- :mod:`.smtp`, :mod:`.graph` (Microsoft Graph ``sendMail``), :mod:`.slack` — the transports;
  :mod:`.fake` — one for tests;
- :mod:`.setup` — the transports and the drainer the settings make.

The rows and their states live in ``samverkan.storage.outbox``.
"""

from samverkan.bot.delivery.drain import Delivery, DeliveryReport
from samverkan.bot.delivery.fake import FakeTransport
from samverkan.bot.delivery.policy import DEFAULT_POLICY, MAX_ATTEMPTS, RetryPolicy
from samverkan.bot.delivery.port import Delivered, GiveUp, Result, Retry, Transport

__all__ = [
    "DEFAULT_POLICY",
    "MAX_ATTEMPTS",
    "Delivered",
    "Delivery",
    "DeliveryReport",
    "FakeTransport",
    "GiveUp",
    "Result",
    "Retry",
    "RetryPolicy",
    "Transport",
]
