"""The one function every feeder calls: a raw message in, a stored and answered case out.

The IMAP watcher and the Maildir drop folder hand raw bytes to :meth:`Intake.process`, which
parses, extracts, stores, evaluates and queues the replies in one transaction. It commits before
it returns, so a feeder may mark the message as handled the moment it gets a result; and it is
idempotent, so handing the same message twice is harmless. ``samverkan ingest`` reads whole
mailboxes through :meth:`Intake.process_all`: the same steps with the same results, a hundred
messages to a transaction, which is what makes a bulk load cheap.

The verdict comes from the one :class:`~samverkan.intake.assessor.Assessor` the chat commands
use too, and what follows it from :func:`samverkan.rules.assessment.after_evaluation`. The hot
path writes with prebuilt Core statements on a plain connection (see
``storage.cases.CaseWrites``): per message, building statements and ORM objects used to cost
more than parsing the message.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from samverkan.clock import utc_now
from samverkan.config import KomplMode, Settings
from samverkan.intake import chat_answers as chat
from samverkan.intake import follow_up
from samverkan.intake.assessor import Assessor, load_rules
from samverkan.intake.extraction.message import application_text, extract_message
from samverkan.intake.extraction.replies import reply_update, withdrawal_sentence
from samverkan.intake.outbox import email_row, notice_row
from samverkan.intake.outcome import IngestResult, Outcome
from samverkan.intake.reading.noise import autoreply_allowed, is_noreply_address, noise_reason
from samverkan.intake.reading.parse import Limits, ParsedMessage, ParseError, parse_message
from samverkan.intake.unit import Incoming, Unit, seen_by
from samverkan.rules.assessment import after_evaluation
from samverkan.rules.criteria import Evaluation, Status
from samverkan.rules.criteria import Outcome as Verdict
from samverkan.rules.deadline_policy import policy_from
from samverkan.rules.gazetteer import Gazetteer
from samverkan.rules.letters import ack_details
from samverkan.rules.model import Application
from samverkan.rules.phases import TERMINAL, Phase, Role, Transition, transition
from samverkan.rules.ruleset import RuleSet
from samverkan.storage import cases as case_store
from samverkan.storage.cases import Case, find_case
from samverkan.storage.messages import message_values

log = logging.getLogger(__name__)

REF_IN_SUBJECT = re.compile(r"\bSAM-(\d{4})-(\d{4,6})\b", re.IGNORECASE)
SYSTEM = "system"
BATCH_MESSAGES = 100

# Told each call's results and the seconds until they were committed (serve's metrics).
IntakeObserver = Callable[[Sequence[IngestResult], float], None]
BATCH_BYTES = 8_000_000


class Intake:
    """The intake pipeline bound to a database and the assessor."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        rules: RuleSet | None = None,
        gazetteer: Gazetteer | None = None,
        assessor: Assessor | None = None,
        clock: Callable[[], datetime] = utc_now,
        limits: Limits | None = None,
        observer: IntakeObserver | None = None,
    ) -> None:
        self.engine = engine
        self.observer = observer
        self.settings = settings
        self.assessor = assessor or Assessor(rules or load_rules(settings), gazetteer)
        self.clock = clock
        self.limits = limits or Limits()

    @property
    def _asks_at_once(self) -> bool:
        """Whether a request for more information goes out without an official's look."""
        return self.settings.komplettering is KomplMode.AUTO

    # -- the pipeline ---------------------------------------------------------------------

    def process(self, raw: bytes, *, source: str) -> IngestResult:
        """Handle one message end to end and commit; never raises for bad input."""
        started = time.perf_counter()
        result = self._process(raw, source)
        self._observe([result], started)
        return result

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> list[IngestResult]:
        """Handle ``(raw, source)`` pairs in one transaction: what :meth:`process` does for each,
        with one commit and one dedupe query for them all and each table written once.

        For bulk loads (``samverkan ingest``); a feeder that must commit message by message
        calls :meth:`process`. A message later in the batch sees the ones before it: a reply
        joins the case its application opened, a second copy is a duplicate. If anything
        fails the whole batch is rolled back and every message goes through :meth:`process`
        alone, so one bad message can neither lose nor double another.
        """
        started = time.perf_counter()
        results = self._batch(items)
        self._observe(results, started)
        return results

    def _observe(self, results: Sequence[IngestResult], started: float) -> None:
        if self.observer is not None and results:
            self.observer(results, time.perf_counter() - started)

    def _process(self, raw: bytes, source: str) -> IngestResult:
        mail = self._incoming(raw, source)
        try:
            msg = parse_message(raw, self.limits)
        except ParseError as exc:
            return self._quarantine(mail, str(exc))
        except Exception as exc:  # a parser bug must not lose the message either
            _log_failure("parser failed on %s", source, exc)
            return self._quarantine(mail, unexpected_reason("tolkning", exc))
        try:
            with self.engine.begin() as conn:
                unit = Unit(conn, seen_by(conn, [(mail.digest, msg.message_id)]))
                result = self._store(unit, mail, msg)
                unit.finish()
                return result
        except IntegrityError:
            # Another instance stored the same message between our check and our insert.
            return IngestResult(source, Outcome.DUPLICATE, self._case_of(mail, msg), None)
        except SQLAlchemyError:
            raise  # the database is away: the feeder keeps the message and tries again
        except Exception as exc:  # a bug in extraction must not lose the message
            _log_failure("intake failed on %s", source, exc)
            return self._quarantine(mail, unexpected_reason("behandling", exc))

    def _batch(self, items: Sequence[tuple[bytes, str]]) -> list[IngestResult]:
        if len(items) <= 1:
            return [self._process(raw, source) for raw, source in items]
        try:
            with self.engine.begin() as conn:
                return self._store_batch(conn, items)
        except SQLAlchemyError as exc:
            if not isinstance(exc, IntegrityError):
                raise  # the database is away: nothing was committed, the caller retries
            log.info("batch of %d hit a conflict; storing its messages one by one", len(items))
        except Exception as exc:
            _log_failure("batch of %s failed; storing its messages one by one", len(items), exc)
        return [self._process(raw, source) for raw, source in items]

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

    def _incoming(self, raw: bytes, source: str) -> Incoming:
        return Incoming(raw, source, hashlib.sha256(raw).hexdigest(), self.clock())

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
            except Exception as exc:  # a parser bug: only this message is quarantined
                _log_failure("parser failed on %s", source, exc)
                parsed.append((raw, source, digest, unexpected_reason("tolkning", exc)))
        keys = [
            (d, m.message_id if isinstance(m, ParsedMessage) else None) for _, _, d, m in parsed
        ]
        unit = Unit(conn, seen_by(conn, keys))
        unit.senders = [
            m.sender_addr for *_, m in parsed if isinstance(m, ParsedMessage) and m.sender_addr
        ]
        results = []
        for raw, source, digest, msg in parsed:
            mail = Incoming(raw, source, digest, self.clock())
            if isinstance(msg, ParsedMessage):
                results.append(self._store(unit, mail, msg))
            else:
                results.append(self._quarantine_in(unit, mail, msg))
        unit.finish()
        return results

    def _store(self, unit: Unit, mail: Incoming, msg: ParsedMessage) -> IngestResult:
        seen, ref = unit.seen(mail.digest, msg.message_id)
        if seen:
            return IngestResult(mail.source, Outcome.DUPLICATE, ref, None)

        reason = noise_reason(msg)
        if reason is not None:
            self._save_inbound(unit, mail, msg, None, Outcome.IGNORED, reason)
            return IngestResult(mail.source, Outcome.IGNORED, None, reason)

        case = self._thread_of(unit, msg)
        if case is not None:
            self._append(unit, mail, msg, case)
            return IngestResult(mail.source, Outcome.APPENDED, case.ref, None)

        if not application_text(msg, own_address=self.settings.contact_address).strip():
            # Nothing to read (say, a lone photo from an unknown sender): an official looks.
            reason = "inget läsbart innehåll: varken text eller bilaga med text"
            chat.answer(unit.writes, mail, msg.headers, None, "received")  # in the chat
            return self._quarantine_in(unit, mail, reason)

        case = self._open_case(unit, mail, msg)
        return IngestResult(mail.source, Outcome.CREATED, case.ref, None)

    # -- steps ----------------------------------------------------------------------------

    def _case_of(self, mail: Incoming, msg: ParsedMessage) -> str | None:
        with self.engine.connect() as conn:
            keys = [(mail.digest, msg.message_id)]
            return Unit(conn, seen_by(conn, keys)).seen(mail.digest, msg.message_id)[1]

    def _thread_of(self, unit: Unit, msg: ParsedMessage) -> Case | None:
        """The case a reply belongs to: a reference in the subject, or a known Message-ID."""
        for match in REF_IN_SUBJECT.finditer(msg.subject):
            ref = f"SAM-{match.group(1)}-{match.group(2)}"
            case = find_case(unit.conn, ref)
            if case is not None:
                return case
        ids = [i for i in (msg.in_reply_to, *msg.references) if i]
        if not ids:
            return None
        unit.writes.flush(unit.conn)  # a reply may name one of our queued messages
        return case_store.case_of_messages(unit.conn, ids)

    def _extract(self, msg: ParsedMessage) -> Application:
        return extract_message(
            msg, gazetteer=self.assessor.gazetteer, own_address=self.settings.contact_address
        )

    def _open_case(self, unit: Unit, mail: Incoming, msg: ParsedMessage) -> Case:
        app = self._extract(msg)
        # Judged before the case row exists, so the case is written once, in its final phase.
        evaluation = self.assessor.evaluate(unit.conn, app)
        now = mail.now
        why = f"ansökan via {chat.via(mail.source, msg.headers)}"
        origin = chat.channel(mail.source, msg.headers)
        moves = [transition(None, Phase.INKOMMEN, by=SYSTEM, role=Role.SYSTEM, why=why, now=now)]
        moves += _onward(Phase.INKOMMEN, evaluation, now, ask_actor=self._asks_at_once)
        case = unit.writes.open_case(unit.conn, app, moves=moves, origin=origin, now=now)
        unit.number(case, self.settings.diarie_series, now)  # the registry's, from the start
        unit.writes.evaluation(case.id, evaluation.to_dict(), trigger="ansökan", now=now)
        self._save_inbound(unit, mail, msg, case, Outcome.CREATED, None)
        overlap = next((r for r in evaluation.results if r.id == "overlapp"), None)
        if overlap is not None and overlap.status is Status.WARNING:
            text = f"{case.ref}: {overlap.reason}"
            unit.writes.message(notice_row(case_id=case.id, kind="overlap", text=text, now=now))
        self._acknowledge(unit, mail, msg, case, app, evaluation)
        if not self._asks_at_once and evaluation.outcome is Verdict.INCOMPLETE:
            missing = "; ".join(self.assessor.missing(evaluation))
            text = (
                f"{case.ref} är ofullständig och väntar på att kontaktpersonen kontrollerar "
                f"kortet. Saknas: {missing}. Skicka begäran med: komplettera {case.ref}"
            )
            unit.writes.message(notice_row(case_id=case.id, kind="review", text=text, now=now))
        title = app.title or msg.subject or "(utan ämne)"
        text = f"Nytt ärende {case.ref}: {title}"
        unit.writes.message(notice_row(case_id=case.id, kind="new_case", text=text, now=now))
        return case

    def _append(self, unit: Unit, mail: Incoming, msg: ParsedMessage, case: Case) -> None:
        now = mail.now
        self._save_inbound(unit, mail, msg, case, Outcome.APPENDED, None)
        number = unit.number(case, self.settings.diarie_series, now)  # the reply is registered
        said = {"ref": case.ref, "diarienummer": number}  # what an answer in the thread names
        if case.phase in TERMINAL:
            text = f"Svar i avslutat ärende {case.ref}"
            unit.writes.message(
                notice_row(case_id=case.id, kind="reply_closed", text=text, now=now)
            )
            chat.answer(unit.writes, mail, msg.headers, case.id, "reply", **said, closed=True)
            return
        updated = reply_update(
            case.application,
            self._extract(msg),
            text=application_text(msg, own_address=self.settings.contact_address),
            sender=msg.sender_addr,
        )
        withdrawn = withdrawal_sentence(msg.new_text)
        if withdrawn is not None:
            text = (
                f"{case.ref}: sökanden vill återkalla ansökan (”{withdrawn}”). "
                f"Bekräfta med: återkalla {case.ref} sökanden återkallar"
            )
            unit.writes.message(notice_row(case_id=case.id, kind="withdrawal", text=text, now=now))
        evaluation = self.assessor.evaluate(unit.conn, updated, case_id=case.id)
        moves = _onward(case.phase, evaluation, now, ask_actor=self._asks_at_once)
        answer = follow_up.read_answer(unit.conn, unit.writes, case, msg)
        if answer is not None and (move := follow_up.record_answer(unit.writes, case, answer, now)):
            moves = moves or [move]
        case = unit.writes.change_case(unit.conn, case, updated, moves=moves, now=now)
        unit.writes.evaluation(case.id, evaluation.to_dict(), trigger="svar", now=now)
        missing = self.assessor.missing(evaluation) if self._asks_at_once else []
        chat.answer(unit.writes, mail, msg.headers, case.id, "reply", **said, missing=missing)
        text = follow_up.answer_notice(case.ref, answer) if answer else f"Svar i ärende {case.ref}"
        unit.writes.message(notice_row(case_id=case.id, kind="reply", text=text, now=now))

    def _acknowledge(
        self,
        unit: Unit,
        mail: Incoming,
        msg: ParsedMessage,
        case: Case,
        app: Application,
        evaluation: Evaluation,
    ) -> None:
        to, now = msg.sender_addr, mail.now
        contact = self.settings.contact_address
        context = {
            "ref": case.ref,
            "diarienummer": unit.number(case, self.settings.diarie_series, now),
            "contact_name": app.contact_name,
            "area": app.area.name if app.area and app.area.in_malmo else None,
            "missing": self.assessor.missing(evaluation) if self._asks_at_once else [],
            "pending_review": not self._asks_at_once and evaluation.outcome is Verdict.INCOMPLETE,
            "not_eligible": evaluation.outcome is Verdict.NOT_ELIGIBLE,
            "contact_address": contact,
            **ack_details(evaluation, policy_from(self.settings.deadlines_file)),
        }
        chat.answer(unit.writes, mail, msg.headers, case.id, "ack", **context)  # e-mail too
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
            context=context,
            sender=contact,
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
        unit: Unit,
        mail: Incoming,
        msg: ParsedMessage,
        case: Case | None,
        outcome: Outcome,
        reason: str | None,
    ) -> None:
        row = message_values(
            case_id=case.id if case else None,
            direction="in",
            channel=chat.channel(mail.source, msg.headers),
            message_id=msg.message_id,
            digest=mail.digest,
            in_reply_to=msg.in_reply_to,
            references=" ".join(msg.references) or None,
            subject=msg.subject,
            sender=msg.sender_addr,
            recipients=", ".join(msg.to) or None,
            body_text=msg.text,
            raw=mail.raw,
            source=mail.source,
            outcome=outcome.value,
            reason=reason,
            at=mail.now,
        )
        unit.writes.message(row, _attachment_rows(msg))
        unit.remember(mail.digest, msg.message_id, case.ref if case else None)

    def _quarantine(self, mail: Incoming, reason: str) -> IngestResult:
        """Keep what we could not read, with the reason, and tell the officials."""
        try:
            with self.engine.begin() as conn:
                unit = Unit(conn, seen_by(conn, [(mail.digest, None)]))
                result = self._quarantine_in(unit, mail, reason)
                unit.finish()
                return result
        except IntegrityError:
            return IngestResult(mail.source, Outcome.DUPLICATE, None, None)

    def _quarantine_in(self, unit: Unit, mail: Incoming, reason: str) -> IngestResult:
        if unit.seen(mail.digest, None)[0]:
            return IngestResult(mail.source, Outcome.DUPLICATE, None, None)
        row = message_values(
            direction="in",
            channel="email",
            digest=mail.digest,
            raw=mail.raw,
            source=mail.source,
            outcome=Outcome.QUARANTINED.value,
            reason=reason,
            at=mail.now,
        )
        unit.writes.message(row)
        unit.remember(mail.digest, None, None)
        text = f"Ett e-postmeddelande lades i karantän: {reason}"
        unit.writes.message(notice_row(case_id=None, kind="quarantine", text=text, now=mail.now))
        return IngestResult(mail.source, Outcome.QUARANTINED, None, reason)


def _log_failure(what: str, subject: object, exc: BaseException) -> None:
    """One line at WARNING (what failed, on what, the kind of error); the traceback at DEBUG,
    so standard error carries no traceback unless an operator asks for one."""
    log.warning(what + ": %s", subject, type(exc).__name__)
    log.debug("traceback of the failure above", exc_info=exc)


def unexpected_reason(step: str, exc: BaseException) -> str:
    """A quarantine reason in Swedish for a failure that is the system's, not the mail's.

    Python's own message is English and may quote the mail; the log has it (with the
    traceback, at WARNING), the official reads what happened and what to do.
    """
    kind = _FAILURE_KINDS.get(type(exc).__name__, "ett internt fel")
    return (
        f"oväntat fel vid {step} ({kind}); meddelandet är sparat oförändrat, "
        "läs det och registrera det för hand eller be avsändaren skicka det igen"
    )


_FAILURE_KINDS = {
    "RecursionError": "meddelandet är för djupt nästlat",
    "MemoryError": "meddelandet är för stort att läsa",
    "UnicodeError": "okänd teckenkodning",
    "UnicodeDecodeError": "okänd teckenkodning",
    "LookupError": "okänd teckenkodning",
}


def _onward(
    current: Phase, evaluation: Evaluation, now: datetime, *, ask_actor: bool
) -> list[Transition]:
    """The move the verdict makes, by the rule chat follows too."""
    move = after_evaluation(
        current, evaluation.outcome, by=SYSTEM, role=Role.SYSTEM, now=now, ask_actor=ask_actor
    )
    return [move] if move is not None else []


def _attachment_rows(msg: ParsedMessage) -> list[dict[str, object]]:
    return [
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
    ]
