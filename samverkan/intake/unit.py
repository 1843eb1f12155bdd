"""One transaction of intake, and one message on its way through it.

A :class:`Unit` is what the pipeline's steps share while a message or a batch of them is
handled: the connection, which messages are stored already, the rows not yet written, the open
cases read for the overlap check, and the auto-replies sent to each sender. An
:class:`Incoming` is what arrived: the bytes, where from, their digest and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from samverkan.storage.cases import Case, CaseWrites
from samverkan.storage.messages import recent_acks_to, seen_messages
from samverkan.storage.registry import DEFAULT_SERIES, register_documents, registration_number


@dataclass(frozen=True)
class Incoming:
    """One message as a feeder handed it over, and the moment intake took it."""

    raw: bytes
    source: str
    digest: str
    now: datetime


@dataclass
class Seen:
    """Digests and Message-IDs known to be stored, with the reference of their case."""

    digests: dict[str, str | None] = field(default_factory=dict)
    message_ids: dict[str, str | None] = field(default_factory=dict)

    def add(self, digest: str | None, message_id: str | None, ref: str | None) -> None:
        if digest:
            self.digests[digest] = ref
        if message_id:
            self.message_ids[message_id] = ref


@dataclass
class Unit:
    """One transaction of intake: its connection, what is stored, the rows still to write."""

    conn: Connection
    known: Seen
    writes: CaseWrites = field(default_factory=CaseWrites)
    acks: dict[str, list[datetime]] = field(default_factory=dict)
    senders: Sequence[str] = ()  # whose auto-replies to read at the first need, in one query
    numbers: dict[int, str] = field(default_factory=dict)  # cases whose documents it registers
    series: str = DEFAULT_SERIES
    latest: datetime | None = None

    def acks_to(self, to: str, since: datetime) -> list[datetime]:
        """When ``to`` got an auto-reply since ``since``: stored ones and those queued in this
        unit (which the pipeline adds as it queues them)."""
        if to not in self.acks:
            wanted = {to, *(s for s in self.senders if s not in self.acks)}
            # A day more than asked: the clock may step back a little between messages.
            found = recent_acks_to(self.conn, wanted, since - timedelta(days=1))
            for sender in wanted:
                self.acks[sender] = found.get(sender, [])
        return self.acks[to]

    def seen(self, digest: str, message_id: str | None) -> tuple[bool, str | None]:
        """Whether the message is stored already and, if so, its case reference."""
        if digest in self.known.digests:
            return True, self.known.digests[digest]
        if message_id and message_id in self.known.message_ids:
            return True, self.known.message_ids[message_id]
        return False, None

    def remember(self, digest: str, message_id: str | None, ref: str | None) -> None:
        self.known.add(digest, message_id, ref)

    def number(self, case: Case, series: str, now: datetime) -> str:
        """The case's registration number (a new case is numbered now); its documents in
        this unit are registered when it finishes."""
        if case.id not in self.numbers:
            self.numbers[case.id] = registration_number(self.conn, case, series=series, now=now)
        self.series, self.latest = series, max(now, self.latest or now)
        return self.numbers[case.id]

    def finish(self) -> None:
        """Write every row still waiting and register the documents of the unit's cases: a
        mail is an official document the moment it arrives, and so is the answer to it."""
        self.writes.flush(self.conn)
        if self.numbers and self.latest is not None:
            register_documents(
                self.conn, now=self.latest, series=self.series, case_ids=list(self.numbers)
            )


def seen_by(conn: Connection, keys: Sequence[tuple[str, str | None]]) -> Seen:
    """Which of these (digest, Message-ID) pairs are stored already, and in which case."""
    digests = [d for d, _ in keys]
    ids = [m for _, m in keys if m]
    seen = Seen()
    for digest, message_id, ref in seen_messages(conn, digests, ids):
        seen.add(digest, message_id, ref)
    return seen
