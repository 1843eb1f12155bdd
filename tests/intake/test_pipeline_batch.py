"""``process_batch`` and ``process_all``: many messages per transaction, same results as one by one.

A batch must be invisible to everyone but the stopwatch: the cases, replies and outcomes are
those :meth:`Intake.process` gives message by message, a message sees the ones before it in
the same batch, and one bad message neither loses nor doubles the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from samverkan.config import Settings
from samverkan.intake.extraction.extract import extract as real_extract
from samverkan.intake.outcome import IngestResult, Outcome
from samverkan.intake.pipeline import Intake
from samverkan.storage import cases as case_store
from samverkan.storage.case_view import case_view
from samverkan.storage.db import make_engine
from samverkan.storage.messages import seen_messages as real_seen
from samverkan.storage.models import (
    AttachmentRow,
    CaseActorRow,
    CaseRow,
    EvaluationRow,
    MessageRow,
    PhaseChangeRow,
)
from samverkan.storage.setup import initialise
from tests.helpers.intake import COMPLETE, NO_ORGNR, mail, outbox, view

FALLBACK = "one by one"


@pytest.fixture
def clock(now: datetime) -> list[datetime]:
    return [now]


@pytest.fixture
def intake(engine: Engine, settings: Settings, clock: list[datetime]) -> Intake:
    return Intake(engine, settings, clock=lambda: clock[0])


@pytest.fixture
def no_fallback(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The batch itself must succeed: falling back to one by one would hide a batch bug."""
    with caplog.at_level(logging.INFO, logger="samverkan.intake.pipeline"):
        yield
    assert FALLBACK not in caplog.text


def reply(body: str, *, subject: str, message_id: str, **headers: str) -> bytes:
    return mail(body, subject=subject, message_id=message_id, headers=headers)


def stored(engine: Engine) -> dict[str, Any]:
    """Everything intake wrote, without what differs by design (ids, generated Message-IDs)."""
    with Session(engine) as session:
        refs = session.exec(select(CaseRow.ref).order_by(col(CaseRow.id))).all()
        views = []
        for ref in refs:
            shown = case_view(session, case_store.get_case(session, ref)).to_dict()
            for message in shown["messages"]:
                if message["direction"] == "out":
                    message.pop("message_id")
            views.append(shown)
        rows = session.exec(select(MessageRow)).all()
        messages = sorted(
            (
                m.direction,
                m.channel,
                m.kind or "",
                m.outcome or "",
                m.recipients or "",
                m.subject or "",
                m.body_text or "",
                m.source or "",
            )
            for m in rows
        )
        files = sorted(
            (message.source or "", file.filename or "", file.size)
            for file, message in session.exec(
                select(AttachmentRow, MessageRow).where(
                    AttachmentRow.message_row_id == MessageRow.id
                )
            ).all()
        )
        counts = {
            row.__tablename__: session.exec(select(func.count()).select_from(row)).one()
            for row in (AttachmentRow, CaseActorRow, EvaluationRow, PhaseChangeRow)
        }
    return {"cases": views, "messages": messages, "files": files, "counts": counts}


AREAS = ["Seved", "Möllevången", "Limhamn", "Rosengård", "Lund", "Hyllie"]


def mailbox(count: int) -> list[bytes]:
    """Applications in several areas (some incomplete), replies by reference, noise."""
    out = []
    for n in range(count):
        sender = f"Lina Ek <lina.{n % 7}@seved.example>"
        message_id = f"<m{n}@seved.example>"
        if n % 10 == 9:
            body = f"Org.nr: 802457-3167\n\nMvh Lina {n}"
            subject = f"SV: [SAM-2026-{n // 3:04d}] Ansökan"
        elif n % 10 == 4:
            out.append(
                mail(
                    "Jag är borta.",
                    subject="Frånvaro",
                    message_id=message_id,
                    headers={"Auto-Submitted": "auto-replied"},
                )
            )
            continue
        else:
            body = (COMPLETE if n % 3 else NO_ORGNR).replace("Seved", AREAS[n % len(AREAS)])
            body += f"\nVi är {n} boende."
            subject = "Ansökan om samverkansstöd"
        raw = mail(body, subject=subject, sender=sender, message_id=message_id)
        if n % 8 == 0:
            msg = message_from_bytes(raw, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            msg.add_attachment(f"Bilaga {n}".encode(), "text", "plain", filename=f"b{n}.txt")
            raw = msg.as_bytes()
        out.append(raw)
    return out


def fresh(tmp_path: Path, name: str, settings: Settings, now: datetime) -> Intake:
    url = f"sqlite:///{tmp_path / name}"
    engine = make_engine(url)
    initialise(engine, settings, now)
    return Intake(engine, settings, clock=lambda: now)


def test_a_mailbox_in_batches_is_stored_exactly_as_message_by_message(
    tmp_path: Path, engine: Engine, settings: Settings, now: datetime, no_fallback: None
) -> None:
    mails = mailbox(60)
    assert len(set(mails)) == len(mails)
    mails += mails[5:8]  # copies, some within the same batch as their original
    one = fresh(tmp_path, "one.db", settings, now)
    many = Intake(engine, settings, clock=lambda: now)  # SQLite and PostgreSQL

    singly = [one.process(raw, source=f"m{i}") for i, raw in enumerate(mails)]
    batched = list(many.process_all(((raw, f"m{i}") for i, raw in enumerate(mails)), batch=25))

    assert batched == singly
    assert stored(one.engine)["files"]  # the mailbox has attachments
    outcomes = {r.outcome for r in singly}
    assert outcomes >= {Outcome.CREATED, Outcome.APPENDED, Outcome.IGNORED, Outcome.DUPLICATE}
    assert stored(many.engine) == stored(one.engine)


def test_a_reply_in_the_same_batch_as_its_application_joins_its_case(
    intake: Intake, engine: Engine, no_fallback: None
) -> None:
    results = intake.process_batch(
        [
            (mail(NO_ORGNR), "app.eml"),
            (
                reply(
                    "Hej! Vårt organisationsnummer är 802457-3167.\n\nMvh Lina",
                    subject="SV: [SAM-2026-0001] Vi har tagit emot er ansökan",
                    message_id="<reply-1@seved.example>",
                ),
                "reply-by-ref.eml",
            ),
            (
                reply(
                    "Vi vill också ha processtöd.",
                    subject="Re: vår ansökan",
                    message_id="<reply-2@seved.example>",
                    **{"In-Reply-To": "<app-1@seved.example>"},
                ),
                "reply-by-id.eml",
            ),
        ]
    )
    assert [(r.outcome, r.case) for r in results] == [
        (Outcome.CREATED, "SAM-2026-0001"),
        (Outcome.APPENDED, "SAM-2026-0001"),
        (Outcome.APPENDED, "SAM-2026-0001"),
    ]
    case = view(engine, "SAM-2026-0001")
    assert case["phase"] == "bedomning"
    assert isinstance(case["applicant"], dict)
    assert case["applicant"]["orgnr"] == "802457-3167"
    history = case["history"]
    assert isinstance(history, list)
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "inkommen"),
        ("inkommen", "komplettering"),
        ("komplettering", "bedomning"),
    ]
    with Session(engine) as session:
        triggers = session.exec(select(EvaluationRow.trigger).order_by(col(EvaluationRow.id)))
        assert list(triggers) == ["ansökan", "svar", "svar"]
        actors = session.exec(select(CaseActorRow.category)).all()
        assert len(actors) == len(set(actors)) > 0  # replaced, not added twice


def test_copies_in_the_same_batch_are_duplicates_of_the_first(
    intake: Intake, engine: Engine, no_fallback: None
) -> None:
    raw = mail(COMPLETE)
    same_id = mail(COMPLETE + "\nPS. Glömde en rad.")
    results = intake.process_batch([(raw, "a"), (raw, "a-copy"), (same_id, "a-edited")])
    assert [(r.outcome, r.case) for r in results] == [
        (Outcome.CREATED, "SAM-2026-0001"),
        (Outcome.DUPLICATE, "SAM-2026-0001"),
        (Outcome.DUPLICATE, "SAM-2026-0001"),
    ]
    assert len(outbox(engine)) == 1
    assert intake.process_batch([(raw, "again"), (same_id, "again-2")]) == [
        IngestResult("again", Outcome.DUPLICATE, "SAM-2026-0001", None),
        IngestResult("again-2", Outcome.DUPLICATE, "SAM-2026-0001", None),
    ]


def test_the_auto_reply_limit_counts_replies_queued_earlier_in_the_batch(
    intake: Intake, engine: Engine, no_fallback: None
) -> None:
    batch = [(mail(COMPLETE, message_id=f"<app-{n}@seved.example>"), f"{n}") for n in range(5)]
    assert {r.outcome for r in intake.process_batch(batch)} == {Outcome.CREATED}
    assert len(outbox(engine)) == 3


def test_unreadable_mail_in_a_batch_is_quarantined_and_the_rest_stored(
    intake: Intake, engine: Engine, no_fallback: None
) -> None:
    results = intake.process_batch(
        [(mail(COMPLETE), "good.eml"), (b"\n\n\n", "broken.eml"), (b"\n\n\n", "broken-again")]
    )
    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.QUARANTINED,
        Outcome.DUPLICATE,
    ]
    assert [n.kind for n in outbox(engine, "notice")] == ["overlap", "new_case", "quarantine"]


def test_a_failing_message_loses_and_doubles_no_other(
    intake: Intake, engine: Engine, monkeypatch: pytest.MonkeyPatch, clock: list[datetime]
) -> None:
    def extract(text: str, **kw: Any) -> Any:
        if "KRASCH" in text:
            raise RuntimeError("extraction bug")
        return real_extract(text, **kw)

    monkeypatch.setattr("samverkan.intake.extraction.message.extract", extract)
    first = intake.process(mail(COMPLETE, message_id="<before@x.example>"), source="before")
    results = intake.process_batch(
        [
            (mail(NO_ORGNR, message_id="<a@x.example>", sender="a@x.example"), "a"),
            (mail("KRASCH " + COMPLETE, message_id="<bad@x.example>"), "bad"),
            (mail(COMPLETE, message_id="<before@x.example>"), "copy"),
            (mail(COMPLETE, message_id="<c@x.example>", sender="c@x.example"), "c"),
        ]
    )
    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.QUARANTINED,
        Outcome.DUPLICATE,
        Outcome.CREATED,
    ]
    assert results[1].reason is not None
    assert results[1].reason.startswith("oväntat fel vid behandling (ett internt fel)")
    assert "extraction bug" not in results[1].reason  # Python's English stays in the log
    assert results[2].case == first.case
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(CaseRow)).one() == 3
        inbound = session.exec(select(MessageRow.source).where(MessageRow.direction == "in"))
        assert sorted(s or "" for s in inbound) == ["a", "bad", "before", "c"]
    assert len(outbox(engine)) == 3


def test_a_parser_failure_in_a_batch_quarantines_that_message_alone_in_swedish(
    intake: Intake,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_fallback: None,
) -> None:
    from samverkan.intake.reading.parse import parse_message as real_parse

    def parse(raw: bytes, *args: Any) -> Any:
        if b"DJUPT" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return real_parse(raw, *args)

    monkeypatch.setattr("samverkan.intake.pipeline.parse_message", parse)
    results = intake.process_batch(
        [
            (mail(COMPLETE, message_id="<a@x.example>", sender="a@x.example"), "a"),
            (mail("DJUPT " + COMPLETE, message_id="<deep@x.example>"), "deep"),
            (mail(NO_ORGNR, message_id="<c@x.example>", sender="c@x.example"), "c"),
        ]
    )
    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.QUARANTINED,
        Outcome.CREATED,
    ]
    reason = results[1].reason or ""
    assert reason.startswith("oväntat fel vid tolkning (meddelandet är för djupt nästlat)")
    assert "recursion" not in reason
    assert "Traceback" not in capsys.readouterr().err
    with Session(engine) as session:
        stored = session.exec(select(MessageRow.source, MessageRow.reason).where(
            MessageRow.outcome == "quarantined")).all()  # fmt: skip
    assert stored == [("deep", reason)]


def test_a_message_stored_meanwhile_by_another_instance_is_a_duplicate(
    intake: Intake, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_first = intake.process(mail(COMPLETE), source="other-instance")
    calls = []

    def seen_too_early(*args: Any) -> Any:
        calls.append(args)  # the first look happens before the other instance's commit
        return [] if len(calls) == 1 else real_seen(*args)

    monkeypatch.setattr("samverkan.intake.unit.seen_messages", seen_too_early)
    results = intake.process_batch(
        [
            (mail(NO_ORGNR, message_id="<new@x.example>", sender="n@x.example"), "new"),
            (mail(COMPLETE), "same"),
        ]
    )
    assert [(r.outcome, r.case) for r in results] == [
        (Outcome.CREATED, "SAM-2026-0002"),
        (Outcome.DUPLICATE, stored_first.case),
    ]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(CaseRow)).one() == 2


def test_process_all_bounds_each_batch_by_count_and_by_size(
    intake: Intake, monkeypatch: pytest.MonkeyPatch, clock: list[datetime]
) -> None:
    sizes: list[list[str]] = []
    real = Intake.process_batch

    def spy(self: Intake, items: list[tuple[bytes, str]]) -> list[IngestResult]:
        sizes.append([source for _, source in items])
        return real(self, items)

    monkeypatch.setattr(Intake, "process_batch", spy)
    small = [(mail(COMPLETE, message_id=f"<s{n}@x.example>"), f"s{n}") for n in range(5)]
    results = list(intake.process_all(small, batch=2))
    assert [r.source for r in results] == ["s0", "s1", "s2", "s3", "s4"]
    assert sizes == [["s0", "s1"], ["s2", "s3"], ["s4"]]

    sizes.clear()
    clock[0] += timedelta(days=2)
    big = mail(COMPLETE + "x" * 5000, message_id="<big@x.example>")
    mixed = [small[0], (big, "big"), small[1]]
    list(intake.process_all(mixed, batch_bytes=len(big)))
    assert sizes == [["s0"], ["big"], ["s1"]]  # a message over the bound goes alone


def test_messages_read_before_a_source_fails_are_still_handled(intake: Intake) -> None:
    def source() -> Iterator[tuple[bytes, str]]:
        yield mail(COMPLETE), "read.eml"
        raise OSError("disk gone")

    results = intake.process_all(source())
    handled = [next(results)]
    with pytest.raises(OSError, match="disk gone"):
        next(results)
    assert [(r.source, r.outcome) for r in handled] == [("read.eml", Outcome.CREATED)]
