"""``/metrics`` in the Prometheus text format, for ``samverkan serve``.

Two kinds of figure:

- **This instance's**, counted as things happen (Prometheus sums them over instances):
  ``samverkan_intake_messages_total{outcome}``, ``samverkan_intake_seconds`` (from handing
  mail to the pipeline until its cases are committed), ``samverkan_deliveries_total{transport,
  result}`` and ``samverkan_errors_total{component}`` (every log record at ERROR or above,
  by the module that wrote it).
- **The database's**, read from SQL at each scrape by :class:`DatabaseCollector`, so every
  instance reports the same: ``samverkan_cases{phase}``, ``samverkan_outbox_items{state,
  transport}``, ``samverkan_reminders{state}``, ``samverkan_reminders_late{state}``,
  ``samverkan_database_up``; and whether this instance reads the mailbox
  (``samverkan_mailbox_reader``, ``samverkan_mailbox_state{state}``).

Labels hold states, outcomes, transports and module names: never an address or a case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.intake.feeders.watching import HealthState
from samverkan.intake.outcome import IngestResult, Outcome
from samverkan.rules.deadlines import LATE_AFTER
from samverkan.rules.phases import Phase
from samverkan.storage import monitoring
from samverkan.storage.outbox import Finish, OutboxItem

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
DELIVERY_RESULTS = {"sent": "delivered", "pending": "retry", "failed": "failed"}

MailboxView = Callable[[], tuple[HealthState, bool] | None]
"""The watcher's state and whether this instance holds the mailbox (None: no watcher)."""


class DatabaseCollector(Collector):
    """Figures that live in the database, read with a few ``GROUP BY`` queries per scrape."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        mailbox: MailboxView,
        late_after: timedelta = LATE_AFTER,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.mailbox = mailbox
        self.late_after = late_after

    def collect(self) -> Iterator[Metric]:
        yield from self._mailbox()
        up = GaugeMetricFamily("samverkan_database_up", "1 when the database answered")
        try:
            families = list(self._database())
        except SQLAlchemyError as exc:
            log.warning("metrics: databasen svarade inte: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _database(self) -> Iterator[Metric]:
        with self.engine.connect() as conn:
            by_phase = monitoring.cases_by_phase(conn)
            outbox = monitoring.outbox_by_state(conn)
            due = monitoring.reminder_counts(conn, self.clock(), self.late_after)
        cases = GaugeMetricFamily("samverkan_cases", "Cases by phase", labels=["phase"])
        for phase in Phase:
            cases.add_metric([phase.value], by_phase.get(phase.value, 0))
        yield cases
        items = GaugeMetricFamily(
            "samverkan_outbox_items",
            "Outbox items (everything ever queued to leave) by state and transport",
            labels=["state", "transport"],
        )
        for (state, transport), n in sorted(outbox.items()):
            items.add_metric([state, transport], n)
        yield items
        reminders = GaugeMetricFamily(
            "samverkan_reminders",
            "Reminders: waiting (not yet due), due (for the next tick), sent, cancelled",
            labels=["state"],
        )
        for state, n in (
            ("waiting", due.waiting),
            ("due", due.due),
            ("sent", due.sent),
            ("cancelled", due.cancelled),
        ):
            reminders.add_metric([state], n)
        yield reminders
        late = GaugeMetricFamily(
            "samverkan_reminders_late",
            f"Reminders more than {self.late_after} late: sent late, or still due (overdue)",
            labels=["state"],
        )
        late.add_metric(["sent"], due.sent_late)
        late.add_metric(["overdue"], due.overdue)
        yield late

    def _mailbox(self) -> Iterator[Metric]:
        seen = self.mailbox()
        if seen is None:
            return
        state, reading = seen
        reader = GaugeMetricFamily(
            "samverkan_mailbox_reader", "1 when this instance reads the mailbox (holds its lease)"
        )
        reader.add_metric([], 1 if reading else 0)
        yield reader
        states = GaugeMetricFamily(
            "samverkan_mailbox_state",
            "The mailbox watcher's state (1 for the current one)",
            labels=["state"],
        )
        for each in HealthState:
            states.add_metric([each.value], 1 if each is state else 0)
        yield states


class _ErrorCounter(logging.Handler):
    def __init__(self, counter: Counter) -> None:
        super().__init__(level=logging.ERROR)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        self.counter.labels(record.name.removeprefix("samverkan.")).inc()


class Metrics:
    """One registry per service (not the library's global one, so tests may run several)."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime],
        mailbox: MailboxView = lambda: None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.messages = Counter(
            "samverkan_intake_messages",
            "Incoming messages by outcome (this instance)",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in Outcome:
            self.messages.labels(outcome.value)
        self.latency = Histogram(
            "samverkan_intake_seconds",
            "Seconds from handing a message to the pipeline until its case was committed",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "samverkan_deliveries",
            "Delivery attempts by transport and result: delivered, retry, failed (this instance)",
            ["transport", "result"],
            registry=self.registry,
        )
        self.errors = Counter(
            "samverkan_errors",
            "Log records at ERROR or above, by the module that wrote them (this instance)",
            ["component"],
            registry=self.registry,
        )
        self.error_handler: logging.Handler = _ErrorCounter(self.errors)
        self.registry.register(DatabaseCollector(engine, clock, mailbox))

    def observe_intake(self, results: Sequence[IngestResult], seconds: float) -> None:
        for result in results:
            self.messages.labels(result.outcome.value).inc()
            self.latency.observe(seconds)

    def observe_delivery(self, item: OutboxItem, finish: Finish) -> None:
        result = DELIVERY_RESULTS.get(finish.state, finish.state)
        self.deliveries.labels(item.transport, result).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
