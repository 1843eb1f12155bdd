"""The one function every feeder calls: a raw message in, a stored and answered case out.

``samverkan ingest``, the IMAP watcher and the Maildir drop folder all hand raw bytes to
:meth:`Intake.process`, which parses, extracts, stores, evaluates and queues the replies in one
transaction. It commits before it returns, so a feeder may mark the message as handled the
moment it gets a result; and it is idempotent, so handing the same message twice is harmless.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, or_, select

from samverkan.config import Settings
from samverkan.intake.extract import extract
from samverkan.intake.noise import autoreply_allowed, is_noreply_address, noise_reason
from samverkan.intake.outbox import queue_email, queue_notice, recent_auto_replies
from samverkan.intake.parse import Limits, ParsedMessage, ParseError, parse_message
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
from samverkan.storage.db import session_scope
from samverkan.storage.messages import insert_attachments, insert_message
from samverkan.storage.models import CaseRow, MessageRow
from samverkan.storage.reference import active_processes

log = logging.getLogger(__name__)

REF_IN_SUBJECT = re.compile(r"\bSAM-(\d{4})-(\d{4,6})\b", re.IGNORECASE)
SYSTEM = "system"
PROCESS_CACHE_SECONDS = 10.0


class Outcome(StrEnum):
    CREATED = "created"
    APPENDED = "appended"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class IngestResult:
    source: str
    outcome: Outcome
    case: str | None
    reason: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "outcome": self.outcome.value,
            "case": self.case,
            "reason": self.reason,
        }


def utc_now() -> datetime:
    return datetime.now(UTC)


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
            with session_scope(self.engine) as session:
                return self._store(session, msg, raw, digest, source, now)
        except IntegrityError:
            # Another instance stored the same message between our check and our insert.
            return IngestResult(source, Outcome.DUPLICATE, self._case_of(msg, digest), None)
        except SQLAlchemyError:
            raise  # the database is away: the feeder keeps the message and tries again
        except Exception as exc:  # a bug in extraction must not lose the message
            log.exception("intake failed on %s", source)
            return self._quarantine(raw, digest, source, f"oväntat fel vid behandling: {exc}", now)

    def _store(
        self,
        session: Session,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        now: datetime,
    ) -> IngestResult:
        seen = self._find_existing(session, msg.message_id, digest)
        if seen is not None:
            ref = session.get(CaseRow, seen.case_id).ref if seen.case_id else None  # type: ignore[union-attr]
            return IngestResult(source, Outcome.DUPLICATE, ref, None)

        reason = noise_reason(msg)
        if reason is not None:
            self._save_inbound(
                session, msg, raw, digest, source, None, Outcome.IGNORED, reason, now
            )
            return IngestResult(source, Outcome.IGNORED, None, reason)

        case = self._thread_of(session, msg)
        if case is not None:
            self._append(session, case, msg, raw, digest, source, now)
            return IngestResult(source, Outcome.APPENDED, case.ref, None)

        case = self._open_case(session, msg, raw, digest, source, now)
        return IngestResult(source, Outcome.CREATED, case.ref, None)

    # -- steps ----------------------------------------------------------------------------

    def _find_existing(
        self, session: Session, message_id: str | None, digest: str
    ) -> MessageRow | None:
        same_digest = col(MessageRow.digest) == digest
        condition = (
            or_(same_digest, col(MessageRow.message_id) == message_id)
            if message_id
            else same_digest
        )
        return session.exec(select(MessageRow).where(condition)).first()

    def _case_of(self, msg: ParsedMessage, digest: str) -> str | None:
        with Session(self.engine) as session:
            seen = self._find_existing(session, msg.message_id, digest)
            if seen is None or seen.case_id is None:
                return None
            case = session.get(CaseRow, seen.case_id)
            return case.ref if case else None

    def _thread_of(self, session: Session, msg: ParsedMessage) -> CaseRow | None:
        """The case a reply belongs to: a reference in the subject, or a known Message-ID."""
        for match in REF_IN_SUBJECT.finditer(msg.subject):
            ref = f"SAM-{match.group(1)}-{match.group(2)}"
            case = session.exec(select(CaseRow).where(CaseRow.ref == ref)).first()
            if case is not None:
                return case
        ids = [i for i in (msg.in_reply_to, *msg.references) if i]
        if not ids:
            return None
        row = session.exec(
            select(MessageRow)
            .where(col(MessageRow.message_id).in_(ids), col(MessageRow.case_id).is_not(None))
            .order_by(col(MessageRow.id).desc())
        ).first()
        return session.get(CaseRow, row.case_id) if row and row.case_id else None

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
        session: Session,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        now: datetime,
    ) -> CaseRow:
        app = self._extract(msg)
        # Judged before the case row exists, so the case is written once, in its final phase.
        evaluation = evaluate(app, self.rules, self._coordination(session, None, app))
        moves = [
            transition(
                None, Phase.INKOMMEN, by=SYSTEM, role=Role.SYSTEM, why="ansökan via e-post", now=now
            )
        ]
        onward = self._next_after_evaluation(Phase.INKOMMEN, evaluation, now)
        if onward is not None:
            moves.append(onward)
        case = case_store.create_case(session, app, moves=moves, origin="email", now=now)
        case_store.save_evaluation(session, case, evaluation.to_dict(), trigger="ansökan", now=now)
        self._save_inbound(session, msg, raw, digest, source, case, Outcome.CREATED, None, now)
        overlap = next((r for r in evaluation.results if r.id == "overlapp"), None)
        if overlap is not None and overlap.status is Status.WARNING:
            queue_notice(
                session, case=case, kind="overlap", text=f"{case.ref}: {overlap.reason}", now=now
            )
        self._acknowledge(session, case, app, msg, evaluation, now)
        queue_notice(
            session,
            case=case,
            kind="new_case",
            text=f"Nytt ärende {case.ref}: {app.title or msg.subject or '(utan ämne)'}",
            now=now,
        )
        return case

    def _append(
        self,
        session: Session,
        case: CaseRow,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        now: datetime,
    ) -> None:
        self._save_inbound(session, msg, raw, digest, source, case, Outcome.APPENDED, None, now)
        if Phase(case.phase) in TERMINAL:
            queue_notice(
                session,
                case=case,
                kind="reply_closed",
                text=f"Svar i avslutat ärende {case.ref}",
                now=now,
            )
            return
        facts = replace(self._extract(msg), title=None)
        updated = case_store.application_of(case).merged_with(facts)
        case_store.save_application(session, case, updated, now=now)
        evaluation = self.evaluate_case(session, case, updated, trigger="svar", now=now)
        self._advance_after_evaluation(session, case, evaluation, now)
        queue_notice(session, case=case, kind="reply", text=f"Svar i ärende {case.ref}", now=now)

    def evaluate_case(
        self, session: Session, case: CaseRow, app: Application, *, trigger: str, now: datetime
    ) -> Evaluation:
        """Judge the application and store the verdict with the rule-set version."""
        evaluation = evaluate(app, self.rules, self._coordination(session, case, app))
        case_store.save_evaluation(session, case, evaluation.to_dict(), trigger=trigger, now=now)
        return evaluation

    def _coordination(
        self, session: Session, case: CaseRow | None, app: Application
    ) -> CoordinationContext:
        processes = self._processes(session)
        if app.area is None or not app.area.in_malmo:
            return CoordinationContext(processes=processes)
        # Only cases in a related area can overlap; asking for those keeps this step from
        # growing with the number of cases.
        related = self._related_names(app.area)
        query = select(CaseRow.ref, CaseRow.area_name).where(
            col(CaseRow.area_name).in_(related),
            col(CaseRow.phase).not_in([p.value for p in TERMINAL]),
        )
        if case is not None:
            query = query.where(CaseRow.id != case.id)
        others = session.exec(query).all()
        active = [ActiveCase(ref=ref, area=self._area(name)) for ref, name in others if name]
        return CoordinationContext(processes=processes, active_cases=active)

    def _processes(self, session: Session) -> list[ExistingProcess]:
        """The registry, re-read at most every few seconds (it changes a few times a year)."""
        fresh_at, cached = self._process_cache
        if cached is None or time.monotonic() - fresh_at > PROCESS_CACHE_SECONDS:
            cached = [
                ExistingProcess(
                    name=p.name, areas=tuple(self._area(a) for a in p.areas), contact=p.contact
                )
                for p in active_processes(session)
            ]
            self._process_cache = (time.monotonic(), cached)
        return cached

    def _area(self, name: str) -> Area:
        return self.gazetteer.resolve(name) or Area(name, True)

    def _related_names(self, area: Area) -> list[str]:
        """Names of every area that is, contains or lies inside ``area``."""
        if area.name not in self._related_cache:
            self._related_cache[area.name] = sorted(
                {area.name, *area.parents}
                | {a.name for a in self.gazetteer.areas() if area.name in a.parents}
            )
        return self._related_cache[area.name]

    def _advance_after_evaluation(
        self, session: Session, case: CaseRow, evaluation: Evaluation, now: datetime
    ) -> None:
        move = self._next_after_evaluation(Phase(case.phase), evaluation, now)
        if move is not None:
            case_store.record_transition(session, case, move)

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
        session: Session,
        case: CaseRow,
        app: Application,
        msg: ParsedMessage,
        evaluation: Evaluation,
        now: datetime,
    ) -> None:
        to = msg.sender_addr
        if not to or is_noreply_address(to):
            return
        previous = recent_auto_replies(session, to, now - timedelta(days=1))
        if not autoreply_allowed(previous, now):
            log.info("auto-reply limit reached for a sender; no acknowledgement for %s", case.ref)
            return
        queue_email(
            session,
            case=case,
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

    def _save_inbound(
        self,
        session: Session,
        msg: ParsedMessage,
        raw: bytes,
        digest: str,
        source: str,
        case: CaseRow | None,
        outcome: Outcome,
        reason: str | None,
        now: datetime,
    ) -> None:
        row_id = insert_message(
            session,
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
        )
        insert_attachments(
            session,
            [
                {
                    "message_row_id": row_id,
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

    def _quarantine(
        self, raw: bytes, digest: str, source: str, reason: str, now: datetime
    ) -> IngestResult:
        """Keep what we could not read, with the reason, and tell the officials."""
        try:
            with session_scope(self.engine) as session:
                if session.exec(select(MessageRow).where(MessageRow.digest == digest)).first():
                    return IngestResult(source, Outcome.DUPLICATE, None, None)
                insert_message(
                    session,
                    direction="in",
                    channel="email",
                    digest=digest,
                    raw=raw,
                    source=source,
                    outcome=Outcome.QUARANTINED.value,
                    reason=reason,
                    at=now,
                )
                queue_notice(
                    session,
                    case=None,
                    kind="quarantine",
                    text=f"Ett e-postmeddelande lades i karantän: {reason}",
                    now=now,
                )
        except IntegrityError:
            return IngestResult(source, Outcome.DUPLICATE, None, None)
        return IngestResult(source, Outcome.QUARANTINED, None, reason)
