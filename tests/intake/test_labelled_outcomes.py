"""Every labelled mail of tests/fixtures/mail through the whole pipeline: each outcome right."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.config import Settings
from samverkan.intake.outcome import Outcome
from samverkan.intake.pipeline import Intake
from samverkan.storage.cases import get_case
from samverkan.storage.messages import insert_message

MAIL = Path(__file__).parent.parent / "fixtures" / "mail"
LABELS: dict[str, dict[str, object]] = tomllib.loads(
    (MAIL / "labels.toml").read_text(encoding="utf-8")
)
REF = re.compile(r"SAM-\d{4}-\d{4}")
IN_REPLY_TO = re.compile(rb"^In-Reply-To:\s*(<[^>]+>)", re.MULTILINE | re.IGNORECASE)


def names_with(outcome: str) -> list[str]:
    return sorted(name for name, label in LABELS.items() if label["outcome"] == outcome)


def test_the_labelled_set_is_large_and_varied() -> None:
    assert len(LABELS) >= 60
    counts = {o: len(names_with(o)) for o in ("created", "appended", "ignored", "quarantined")}
    assert min(counts.values()) >= 4, counts


def test_every_labelled_mail_gets_its_outcome(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    created = {
        name: intake.process((MAIL / name).read_bytes(), source=name)
        for name in names_with("created")
    }
    wrong = {n: r.outcome for n, r in created.items() if r.outcome is not Outcome.CREATED}
    assert wrong == {}

    # Replies answer mail we sent earlier: give the cases those Message-IDs, as our outbox would.
    for name in names_with("appended"):
        raw = (MAIL / name).read_bytes()
        match = IN_REPLY_TO.search(raw)
        if match:
            ref = REF.search(match.group(1).decode().upper())
            assert ref is not None, name
            with Session(engine) as session:
                case = get_case(session, ref.group())
                insert_message(
                    session,
                    case_id=case.id,
                    direction="out",
                    channel="email",
                    message_id=match.group(1).decode(),
                    kind="request_info",
                    at=now,
                )
                session.commit()

    for outcome in ("appended", "ignored", "quarantined"):
        for name in names_with(outcome):
            raw = (MAIL / name).read_bytes()
            result = intake.process(raw, source=name)
            assert result.outcome.value == outcome, (name, result)
            if outcome == "appended":
                subject_ref = REF.search(raw.decode("utf-8", "replace").split("\n\n")[0].upper())
                if subject_ref:
                    assert result.case == subject_ref.group(), name
            if outcome in ("ignored", "quarantined"):
                assert result.reason, name
