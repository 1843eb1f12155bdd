"""The one function every feeder calls: a raw message in, a stored and answered case out.

The IMAP watcher and the Maildir drop folder hand raw bytes to :meth:`Intake.process`, which
parses, extracts, stores, evaluates and queues the replies in one transaction. It commits before
it returns, so a feeder may mark the message as handled the moment it gets a result; and it is
idempotent, so handing the same message twice is harmless. ``samverkan ingest`` reads whole
mailboxes through :meth:`Intake.process_all`: the same steps with the same results, a hundred
messages to a transaction, which is what makes a bulk load cheap.

The hot path writes with prebuilt Core statements on a plain connection (see
``storage.cases.CaseWrites``): per message, building statements and ORM objects used to cost
more than parsing the message.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from samverkan.clock import utc_now
from samverkan.config import Settings
from samverkan.intake.extraction.extract import extract
from samverkan.intake.outbox import email_row, notice_row
from samverkan.intake.outcome import IngestResult, Outcome
from samverkan.intake.reading.noise import autoreply_allowed, is_noreply_address, noise_reason
from samverkan.intake.reading.parse import Limits, ParsedMessage, ParseError, parse_message
from samverkan.rules.criteria import (
    ActiveCase,
    CoordinationContext,
    Evaluation,
    ExistingProcess,
    Status,
    evaluate,
)
from samverkan.rules.criteria import (
    Outcome as Verdict,
)
from samverkan.rules.gazetteer import Gazetteer
from samverkan.rules.komplettering import missing_items
from samverkan.rules.model import Application, Area
from samverkan.rules.phases import (
    TERMINAL,
    Phase,
    Role,
    Transition,
    TransitionRefused,
    transition,
)
from samverkan.rules.ruleset import RuleSet, bundled_ruleset_path, load_ruleset
from samverkan.storage import cases as case_store
from samverkan.storage.cases import StoredCase
from samverkan.storage.messages import message_values, recent_acks_to, seen_messages
from samverkan.storage.models import CaseRow
from samverkan.storage.reference import active_processes

log = logging.getLogger(__name__)

REF_IN_SUBJECT = re.compile(r"\bSAM-(\d{4})-(\d{4,6})\b", re.IGNORECASE)
SYSTEM = "system"
PROCESS_CACHE_SECONDS = 10.0
BATCH_MESSAGES = 100
BATCH_BYTES = 8_000_000
AREA_CACHE_SIZE = 10_000  # names come from the gazetteer or the actors' own words
ACTIVE_CACHE_CASES = 20_000  # open cases a batch keeps at hand (a few MB at most)


def load_rules(settings: Settings) -> RuleSet:
    """The configured rule set, or the bundled one; a broken file raises ``RuleSetError``."""
    return load_ruleset(settings.rules_file or bundled_ruleset_path())


class Intake:
    """The intake pipeline bound to a database, the rule set and the gazetteer."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        rules: RuleSet | None = None,
        gazetteer: Gazetteer | None = None,
        clock: Callable[[], datetime] = utc_now,
        limits: Limits | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.rules = rules or load_rules(settings)
        self.gazetteer = gazetteer or Gazetteer.bundled()
        self.clock = clock
        self.limits = limits or Limits()
        self._related_cache: dict[str, list[str]] = {}
        self._areas: dict[str, Area] = {}
        self._process_cache: tuple[float, list[ExistingProcess] | None] = (0.0, None)

    # -- the pipeline ---------------------------------------------------------------------

    def process(self, raw: bytes, *, source: str) -> IngestResult:
        """Handle one message end to end and commit; never raises for bad input."""
        now = self.clock()
        digest = hashlib.sha256(raw).hexdigest()
        try:
            msg = parse_message(raw, self.limits)
        except ParseError as exc:
            return self._quarantine(raw, digest, source, str(exc), now)
        except Exception as exc:  # a parser bug must not lose the message either
            log.exception("parser failed on %s", source)
            return self._quarantine(raw, digest, source, f"oväntat fel vid tolkning: {exc}", now)
        try:
            with self.engine.begin() as conn:
                unit = _Unit(conn, _seen_by(conn, [(digest, msg.message_id)]))
                result = self._store(unit, msg, raw, digest, source, now)
                unit.writes.flush(conn)
                return result
        except IntegrityError:
            # Another instance stored the same message between our check and our insert.
            return IngestResult(source, Outcome.DUPLICATE, self._case_of(msg, digest), None)
        except SQLAlchemyError:
            raise  # the database is away: the feeder keeps the message and tries again
        except Exception as exc:  # a bug in extraction must not lose the message
            log.exception("intake failed on %s", source)
            return self._quarantine(raw, digest, source, f"oväntat fel vid behandling: {exc}", now)

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> list[IngestResult]:
        """Handle ``(raw, source)`` pairs in one transaction: what :meth:`process` does for each,
        with one commit and one dedupe query for them all and each table written once.

        For bulk loads (``samverkan ingest``); a feeder that must commit message by message
        calls :meth:`process`. A message later in the batch sees the ones before it: a reply
        joins the case its application opened, a second copy is a duplicate. If anything
        fails the whole batch is rolled back and every message goes through :meth:`process`
        alone, so one bad message can neither lose nor double another.
        """
        if len(items) <= 1:
            return [self.process(raw, source=source) for raw, source in items]
        try:
            with self.engine.begin() as conn:
                return self._store_batch(conn, items)
        except SQLAlchemyError as exc:
            if not isinstance(exc, IntegrityError):
                raise  # the database is away: nothing was committed, the caller retries
            log.info("batch of %d hit a conflict; storing its messages one by one", len(items))
        except Exception:
            log.exception("batch of %d failed; storing its messages one by one", len(items))
        return [self.process(raw, source=source) for raw, source in items]

    def process_all(
        self,
        items: Iterable[tuple[bytes, str]],
        *,
        batch: int = BATCH_MESSAGES,
        batch_bytes: int = BATCH_BYTES,
    ) -> Iterator[IngestResult]:
        """Results of :meth:`process_batch` over ``items`` taken ``batch`` at a time, and at
        most ``batch_bytes`` of raw mail at a time (one larger message goes alone), so memory
        does not grow with the number or size of the messages read."""
        pending: list[tuple[bytes, str]] = []
        size = 0
        source = iter(items)
        while True:
            try:
                item = next(source)
            except StopIteration:
                break
            except Exception:
                yield from self.process_batch(pending)  # what was read is handled, then stop
                raise
            if pending and (len(pending) >= batch or size + len(item[0]) > batch_bytes):
                yield from self.process_batch(pending)
                pending, size = [], 0
            pending.append(item)
            size += len(item[0])
        yield from self.process_batch(pending)

    def _store_batch(
        self, conn: Connection, items: Sequence[tuple[bytes, str]]
    ) -> list[IngestResult]:
        parsed: list[tuple[bytes, str, str, ParsedMessage | str]] = []
        for raw, source in items:
            digest = hashlib.sha256(raw).hexdigest()
            try:
                parsed.append((raw, source, digest, parse_message(raw, self.limits)))
            except ParseError as exc:
                parsed.append((raw, source, digest, str(exc)))
        keys = [
            (d, m.message_id if isinstance(m, ParsedMessage) else None) for _, _, d, m in parsed
        ]
        unit = _Unit(conn, _seen_by(conn, keys))
        unit.senders = [
            m.sender_addr for *_, m in parsed if isinstance(m, ParsedMessage) and m.sender_addr
        ]
        results = []
        for raw, source, digest, msg in parsed:
            now = self.clock()
            if isinstance(msg, ParsedMessage):
                results.append(self._store(unit, msg, raw, digest, source, now))
            else:
                results.append(self._quarantine_in(unit, raw, digest, source, msg, now))
        unit.writes.flush(conn)
        return results

    def _store(
        self,
        unit: _Unit,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        now: datetime,
    ) -> IngestResult:
        seen, ref = unit.seen(digest, msg.message_id)
        if seen:
            return IngestResult(source, Outcome.DUPLICATE, ref, None)

        reason = noise_reason(msg)
        if reason is not None:
            self._save_inbound(unit, msg, raw, digest, source, None, Outcome.IGNORED, reason, now)
            return IngestResult(source, Outcome.IGNORED, None, reason)

        case = self._thread_of(unit, msg)
        if case is not None:
            self._append(unit, case, msg, raw, digest, source, now)
            return IngestResult(source, Outcome.APPENDED, case.ref, None)

        if not self._application_text(msg).strip():
            # Nothing to read (say, a lone photo from an unknown sender): an official looks.
            reason = "inget läsbart innehåll: varken text eller bilaga med text"
            return self._quarantine_in(unit, raw, digest, source, reason, now)

        case = self._open_case(unit, msg, raw, digest, source, now)
        return IngestResult(source, Outcome.CREATED, case.ref, None)

    # -- steps ----------------------------------------------------------------------------

    def _case_of(self, msg: ParsedMessage, digest: str) -> str | None:
        with self.engine.connect() as conn:
            _, ref = _Unit(conn, _seen_by(conn, [(digest, msg.message_id)])).seen(
                digest, msg.message_id
            )
            return ref

    def _thread_of(self, unit: _Unit, msg: ParsedMessage) -> StoredCase | None:
        """The case a reply belongs to: a reference in the subject, or a known Message-ID."""
        for match in REF_IN_SUBJECT.finditer(msg.subject):
            ref = f"SAM-{match.group(1)}-{match.group(2)}"
            case = case_store.case_by_ref(unit.conn, ref)
            if case is not None:
                return case
        ids = [i for i in (msg.in_reply_to, *msg.references) if i]
        if not ids:
            return None
        unit.writes.flush(unit.conn)  # a reply may name one of our queued messages
        return case_store.case_of_messages(unit.conn, ids)

    def _application_text(self, msg: ParsedMessage) -> str:
        parts = [msg.new_text]
        parts += [a.text for a in msg.attachments if a.text]
        parts += [m.new_text for m in msg.attached_messages if m.new_text]
        return "\n\n".join(p for p in parts if p)

    def _extract(self, msg: ParsedMessage) -> Application:
        return extract(
            self._application_text(msg),
            subject=msg.subject,
            sender_name=msg.sender_name,
            sender_addr=msg.sender_addr,
            signature=msg.signature,
            gazetteer=self.gazetteer,
        )

    def _open_case(
        self,
        unit: _Unit,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        now: datetime,
    ) -> StoredCase:
        app = self._extract(msg)
        # Judged before the case row exists, so the case is written once, in its final phase.
        evaluation = evaluate(app, self.rules, self._context(unit.conn, None, app, unit))
        moves = [
            transition(
                None, Phase.INKOMMEN, by=SYSTEM, role=Role.SYSTEM, why="ansökan via e-post", now=now
            )
        ]
        onward = self._next_after_evaluation(Phase.INKOMMEN, evaluation, now)
        if onward is not None:
            moves.append(onward)
        writes = unit.writes
        case = writes.open_case(unit.conn, app, moves=moves, origin="email", now=now)
        if app.area is not None and case.phase not in _CLOSED:
            unit.opened(
                app.area.name, case.id, ActiveCase(ref=case.ref, area=self._area(app.area.name))
            )
        writes.evaluation(case.id, evaluation.to_dict(), trigger="ansökan", now=now)
        self._save_inbound(unit, msg, raw, digest, source, case, Outcome.CREATED, None, now)
        overlap = next((r for r in evaluation.results if r.id == "overlapp"), None)
        if overlap is not None and overlap.status is Status.WARNING:
            writes.message(
                notice_row(
                    case_id=case.id, kind="overlap", text=f"{case.ref}: {overlap.reason}", now=now
                )
            )
        self._acknowledge(unit, case, app, msg, evaluation, now)
        writes.message(
            notice_row(
                case_id=case.id,
                kind="new_case",
                text=f"Nytt ärende {case.ref}: {app.title or msg.subject or '(utan ämne)'}",
                now=now,
            )
        )
        return case

    def _append(
        self,
        unit: _Unit,
        case: StoredCase,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        now: datetime,
    ) -> None:
        self._save_inbound(unit, msg, raw, digest, source, case, Outcome.APPENDED, None, now)
        if Phase(case.phase) in TERMINAL:
            unit.writes.message(
                notice_row(
                    case_id=case.id,
                    kind="reply_closed",
                    text=f"Svar i avslutat ärende {case.ref}",
                    now=now,
                )
            )
            return
        facts = replace(self._extract(msg), title=None)
        updated = case.app.merged_with(facts)
        evaluation = evaluate(updated, self.rules, self._context(unit.conn, case.id, updated, unit))
        move = self._next_after_evaluation(Phase(case.phase), evaluation, now)
        unit.writes.change_case(
            unit.conn, case, updated, moves=[move] if move is not None else [], now=now
        )
        if updated.area is not None and case.phase not in _CLOSED:
            active = ActiveCase(ref=case.ref, area=self._area(updated.area.name))
            unit.changed(case.id, updated.area.name, active)
        else:
            unit.changed(case.id, None, None)
        unit.writes.evaluation(case.id, evaluation.to_dict(), trigger="svar", now=now)
        unit.writes.message(
            notice_row(case_id=case.id, kind="reply", text=f"Svar i ärende {case.ref}", now=now)
        )

    def evaluate_case(
        self, session: Session, case: CaseRow, app: Application, *, trigger: str, now: datetime
    ) -> Evaluation:
        """Judge the application and store the verdict with the rule-set version."""
        evaluation = evaluate(app, self.rules, self._context(session.connection(), case.id, app))
        case_store.save_evaluation(session, case, evaluation.to_dict(), trigger=trigger, now=now)
        return evaluation

    def _context(
        self, conn: Connection, case_id: int | None, app: Application, unit: _Unit | None = None
    ) -> CoordinationContext:
        processes = self._processes(conn)
        if app.area is None or not app.area.in_malmo:
            return CoordinationContext(processes=processes)
        # Only cases in a related area can overlap; asking for those keeps this step from
        # growing with the number of all cases.
        names = tuple(self._related_names(app.area))
        others = unit.active.get(names) if unit is not None else None
        if others is None:
            others = [
                (name, other, ActiveCase(ref=ref, area=self._area(name)))
                for name, other, ref in case_store.active_cases_in(conn, names, closed=_CLOSED)
            ]
            if unit is not None:
                unit.keep_active(names, others)
        active = [a for _, other, a in others if other != case_id]
        return CoordinationContext(processes=processes, active_cases=active)

    def _processes(self, conn: Connection) -> list[ExistingProcess]:
        """The registry, re-read at most every few seconds (it changes a few times a year)."""
        fresh_at, cached = self._process_cache
        if cached is None or time.monotonic() - fresh_at > PROCESS_CACHE_SECONDS:
            with Session(bind=conn) as session:
                cached = [
                    ExistingProcess(
                        name=p.name, areas=tuple(self._area(a) for a in p.areas), contact=p.contact
                    )
                    for p in active_processes(session)
                ]
            self._process_cache = (time.monotonic(), cached)
        return cached

    def _area(self, name: str) -> Area:
        """Cached: the overlap check asks for the area of every active case in the area."""
        area = self._areas.get(name)
        if area is None:
            area = self.gazetteer.resolve(name) or Area(name, True)
            if len(self._areas) < AREA_CACHE_SIZE:
                self._areas[name] = area
        return area

    def _related_names(self, area: Area) -> list[str]:
        """Names of every area that is, contains or lies inside ``area``."""
        if area.name not in self._related_cache:
            self._related_cache[area.name] = sorted(
                {area.name, *area.parents}
                | {a.name for a in self.gazetteer.areas() if area.name in a.parents}
            )
        return self._related_cache[area.name]

    def _next_after_evaluation(
        self, current: Phase, evaluation: Evaluation, now: datetime
    ) -> Transition | None:
        """Incomplete asks the actor for more; complete goes to the contact person."""
        if evaluation.outcome is Verdict.INCOMPLETE and current is Phase.INKOMMEN:
            target, why = Phase.KOMPLETTERING, "uppgifter saknas"
        elif evaluation.outcome is Verdict.COMPLETE and current in (
            Phase.INKOMMEN,
            Phase.KOMPLETTERING,
        ):
            target, why = Phase.BEDOMNING, "ansökan är komplett"
        else:
            return None
        try:
            return transition(current, target, by=SYSTEM, role=Role.SYSTEM, why=why, now=now)
        except TransitionRefused:
            return None

    def _acknowledge(
        self,
        unit: _Unit,
        case: StoredCase,
        app: Application,
        msg: ParsedMessage,
        evaluation: Evaluation,
        now: datetime,
    ) -> None:
        to = msg.sender_addr
        if not to or is_noreply_address(to):
            return
        since = now - timedelta(days=1)
        previous = [at for at in unit.acks_to(to, since) if at >= since]
        if not autoreply_allowed(previous, now):
            log.info("auto-reply limit reached for a sender; no acknowledgement for %s", case.ref)
            return
        _, row = email_row(
            case_id=case.id,
            tag=case.ref,
            template="ack",
            context={
                "ref": case.ref,
                "contact_name": app.contact_name,
                "area": app.area.name if app.area and app.area.in_malmo else None,
                "missing": missing_items(evaluation, self.rules),
                "not_eligible": evaluation.outcome is Verdict.NOT_ELIGIBLE,
                "contact_address": self.settings.contact_address,
            },
            sender=self.settings.contact_address,
            to=to,
            kind="ack",
            now=now,
            in_reply_to=msg.message_id,
            references=msg.references,
        )
        unit.writes.message(row)
        unit.acks[to].append(now)

    def _save_inbound(
        self,
        unit: _Unit,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        case: StoredCase | None,
        outcome: Outcome,
        reason: str | None,
        now: datetime,
    ) -> None:
        unit.writes.message(
            message_values(
                case_id=case.id if case else None,
                direction="in",
                channel="email",
                message_id=msg.message_id,
                digest=digest,
                in_reply_to=msg.in_reply_to,
                references=" ".join(msg.references) or None,
                subject=msg.subject,
                sender=msg.sender_addr,
                recipients=", ".join(msg.to) or None,
                body_text=msg.text,
                raw=raw,
                source=source,
                outcome=outcome.value,
                reason=reason,
                at=now,
            ),
            [
                {
                    "filename": att.filename,
                    "content_type": att.content_type,
                    "claimed_type": att.claimed_type,
                    "size": att.size,
                    "data": att.data or None,
                    "text": att.text,
                    "skipped_reason": att.skipped_reason,
                }
                for att in msg.attachments
            ],
        )
        unit.remember(digest, msg.message_id, case.ref if case else None)

    def _quarantine(
        self, raw: bytes, digest: str, source: str, reason: str, now: datetime
    ) -> IngestResult:
        """Keep what we could not read, with the reason, and tell the officials."""
        try:
            with self.engine.begin() as conn:
                unit = _Unit(conn, _seen_by(conn, [(digest, None)]))
                result = self._quarantine_in(unit, raw, digest, source, reason, now)
                unit.writes.flush(conn)
                return result
        except IntegrityError:
            return IngestResult(source, Outcome.DUPLICATE, None, None)

    def _quarantine_in(
        self, unit: _Unit, raw: bytes, digest: str, source: str, reason: str, now: datetime
    ) -> IngestResult:
        if unit.seen(digest, None)[0]:
            return IngestResult(source, Outcome.DUPLICATE, None, None)
        row = message_values(
            direction="in",
            channel="email",
            digest=digest,
            raw=raw,
            source=source,
            outcome=Outcome.QUARANTINED.value,
            reason=reason,
            at=now,
        )
        unit.writes.message(row)
        unit.remember(digest, None, None)
        unit.writes.message(
            notice_row(
                case_id=None,
                kind="quarantine",
                text=f"Ett e-postmeddelande lades i karantän: {reason}",
                now=now,
            )
        )
        return IngestResult(source, Outcome.QUARANTINED, None, reason)


_CLOSED = tuple(p.value for p in TERMINAL)


def _seen_by(conn: Connection, keys: Sequence[tuple[str, str | None]]) -> _Seen:
    """Which of these (digest, Message-ID) pairs are stored already, and in which case."""
    digests = [d for d, _ in keys]
    ids = [m for _, m in keys if m]
    seen = _Seen()
    for digest, message_id, ref in seen_messages(conn, digests, ids):
        seen.add(digest, message_id, ref)
    return seen


@dataclass
class _Seen:
    """Digests and Message-IDs known to be stored, with the reference of their case."""

    digests: dict[str, str | None] = field(default_factory=dict)
    message_ids: dict[str, str | None] = field(default_factory=dict)

    def add(self, digest: str | None, message_id: str | None, ref: str | None) -> None:
        if digest:
            self.digests[digest] = ref
        if message_id:
            self.message_ids[message_id] = ref


_ActiveCases = list[tuple[str, int, ActiveCase]]  # (area name, case id, case), as stored


@dataclass
class _Unit:
    """One transaction of intake: its connection, what is stored, the rows still to write.

    ``active`` holds the open cases per set of related areas already read in this
    transaction, kept up to date as cases are opened, so a batch asks for them once.
    """

    conn: Connection
    known: _Seen
    writes: case_store.CaseWrites = field(default_factory=case_store.CaseWrites)
    active: dict[tuple[str, ...], _ActiveCases] = field(default_factory=dict)
    acks: dict[str, list[datetime]] = field(default_factory=dict)
    senders: Sequence[str] = ()  # whose auto-replies to read at the first need, in one query

    def acks_to(self, to: str, since: datetime) -> list[datetime]:
        """When ``to`` got an auto-reply since ``since``: stored ones and those queued in this
        unit (which :meth:`Intake._acknowledge` adds)."""
        if to not in self.acks:
            wanted = {to, *(s for s in self.senders if s not in self.acks)}
            # A day more than asked: the clock may step back a little between messages.
            found = recent_acks_to(self.conn, wanted, since - timedelta(days=1))
            for sender in wanted:
                self.acks[sender] = found.get(sender, [])
        return self.acks[to]

    def keep_active(self, names: tuple[str, ...], cases: _ActiveCases) -> None:
        """Keep what was read, unless that would hold more than a bounded number of cases."""
        if sum(map(len, self.active.values())) + len(cases) <= ACTIVE_CACHE_CASES:
            self.active[names] = cases

    def changed(self, case_id: int, area: str | None, case: ActiveCase | None) -> None:
        """A case's area or phase changed: it is found where its new area is, if still open."""
        for cases in self.active.values():
            cases[:] = [c for c in cases if c[1] != case_id]
        if area is not None and case is not None:
            self.opened(area, case_id, case)

    def opened(self, area: str, case_id: int, case: ActiveCase) -> None:
        """A case opened in ``area``: add it where a query would now find it, in its order."""
        for names, cases in self.active.items():
            if area in names:
                bisect.insort(cases, (area, case_id, case), key=lambda c: (c[0], c[1]))

    def seen(self, digest: str, message_id: str | None) -> tuple[bool, str | None]:
        """Whether the message is stored already and, if so, its case reference."""
        if digest in self.known.digests:
            return True, self.known.digests[digest]
        if message_id and message_id in self.known.message_ids:
            return True, self.known.message_ids[message_id]
        return False, None

    def remember(self, digest: str, message_id: str | None, ref: str | None) -> None:
        self.known.add(digest, message_id, ref)
