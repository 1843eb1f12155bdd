"""Draining the outbox: claim a round of due items, hand each to its transport, record.

One state machine for every transport (drawn in ``samverkan.storage.outbox``) and one retry
policy (:mod:`.policy`). Per item: a transport's :class:`~.port.Retry` backs off, its
:class:`~.port.GiveUp` or the last failed attempt ends the item ``failed`` (for e-mail the
officials are told, so they can reach the actor another way), and an exception means the
outcome is unknown: ``failed`` too, never tried again. One item's trouble never stops the
round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from samverkan.bot.delivery.policy import DEFAULT_POLICY, RetryPolicy
from samverkan.bot.delivery.port import Closable, Delivered, GiveUp, Result, Retry, Transport
from samverkan.storage import outbox
from samverkan.storage.outbox import OutboxItem, Routing, UnroutedNotice

__all__ = ["STALE_AFTER", "Delivery", "DeliveryReport"]

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)
"""A claim older than this without a result: its drainer died while delivering."""

Planner = Callable[[Sequence[UnroutedNotice], datetime], Routing | None]
Observer = Callable[[OutboxItem, outbox.Finish], None]
"""Told what became of each item delivered (``serve``'s metrics and connection health)."""


@dataclass
class DeliveryReport:
    """What one round did, item by item, in words the CLI and the log can show."""

    delivered: list[OutboxItem] = field(default_factory=list)
    retrying: list[OutboxItem] = field(default_factory=list)
    failed: list[OutboxItem] = field(default_factory=list)
    routed: int = 0
    stale: int = 0

    def lines(self) -> list[str]:
        """One Swedish line per item: ``skickade e-post <id>``, ``postade notis ...``."""
        out = [f"{_label(i)} skickad" if i.channel != "email" else f"skickade e-post {_mid(i)}"
               for i in self.delivered]  # fmt: skip
        out += [f"{_what(i)} försöks igen senare" for i in self.retrying]
        out += [f"{_what(i)} kunde inte skickas" for i in self.failed]
        if self.stale:
            out.append(f"{self.stale} meddelanden väntar på svar från en kanal som tystnade")
        return out

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed
        self.routed += other.routed
        self.stale = max(self.stale, other.stale)
        return self


def _mid(item: OutboxItem) -> str:
    return item.message_id or str(item.id)


def _label(item: OutboxItem) -> str:
    what = "notis" if item.channel == "notice" else "svar i tråden"
    return f"{what} till {item.transport}:{item.to}" + (f" ({item.ref})" if item.ref else "")


def _what(item: OutboxItem) -> str:
    return f"e-post {_mid(item)}" if item.channel == "email" else _label(item)


@dataclass
class Delivery:
    """The drainer: transports by name, the routing plan for notices, the retry policy."""

    engine: Engine
    transports: Mapping[str, Transport]
    planner: Planner | None = None
    policy: RetryPolicy = DEFAULT_POLICY
    observer: Observer | None = None

    def run(self, now: datetime, *, channel: str | None = None, limit: int = 50) -> DeliveryReport:
        """Route new notices, then deliver what is due at ``now`` (only of ``channel``,
        ``"email"`` or ``"notice"``, when given) until nothing due is left."""
        report = DeliveryReport(stale=outbox.stale_count(self.engine, now - STALE_AFTER))
        if report.stale:
            log.warning(
                "%d utgående meddelanden har väntat på svar från sin kanal i mer än %s; de "
                "kan ha gått förlorade (send_state='sending') och skickas inte igen automatiskt",
                report.stale,
                STALE_AFTER,
            )
        if self.planner is not None:
            planner = self.planner
            report.routed = outbox.route(self.engine, now, lambda n: planner(n, now))
        names = list(self.transports)
        while True:
            items = outbox.claim(self.engine, now, transports=names, channel=channel, limit=limit)
            if not items:
                break
            report += self._deliver(items, now)
            if len(items) < limit:
                break
        return report

    def _deliver(self, items: Sequence[OutboxItem], now: datetime) -> DeliveryReport:
        report = DeliveryReport()
        results: list[outbox.Finish] = []
        try:
            for item in items:
                results.append(self._one(item, now, report))
                if self.observer is not None:
                    self.observer(item, results[-1])
        finally:
            for transport in self.transports.values():
                if isinstance(transport, Closable):
                    transport.close()
            outbox.finish(self.engine, results)
        return report

    def _one(self, item: OutboxItem, now: datetime, report: DeliveryReport) -> outbox.Finish:
        transport = self.transports[item.transport]
        try:
            result: Result = transport.deliver(item)
        except Exception as exc:  # unknown whether it went: never again
            log.exception("%s: okänt om det gick fram; det försöks inte igen", _what(item))
            report.failed.append(item)
            return outbox.Finish(
                item.id, outbox.FAILED, now, error=f"osäkert om det gick fram: {exc!r}"
            )
        if isinstance(result, Delivered):
            report.delivered.append(item)
            return outbox.Finish(
                item.id, outbox.SENT, now, external_id=result.external_id, raw=result.raw
            )
        later = (
            self.policy.next_attempt(item.attempts, now, result.after)
            if isinstance(result, Retry)
            else None
        )
        if later is not None:
            log.warning("%s gick inte fram, försöker igen %s: %s", _what(item), later, result.error)
            report.retrying.append(item)
            return outbox.Finish(
                item.id, outbox.PENDING, now, next_attempt_at=later, error=result.error
            )
        log.warning("%s gick inte fram och ges upp: %s", _what(item), result.error)
        report.failed.append(item)
        return outbox.Finish(
            item.id,
            outbox.FAILED,
            now,
            error=result.error,
            followups=self._given_up(item, result, now),
        )

    def _given_up(
        self, item: OutboxItem, result: GiveUp | Retry, now: datetime
    ) -> list[dict[str, object]]:
        """A mail that will never arrive is told to the officials (a notice about a notice
        would only fail the same way)."""
        if item.channel != "email":
            return []
        text = f"E-post till {item.to} kunde inte levereras ({item.subject}): {result.error[:200]}"
        return [outbox.notice_values(case_id=item.case_id, text=text, kind="mail_failed", now=now)]
