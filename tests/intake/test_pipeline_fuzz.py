"""Mutated e-mail never escapes the pipeline: every input ends as a stored outcome."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from samverkan.config import Settings
from samverkan.intake.outcome import Outcome
from samverkan.intake.pipeline import Intake
from samverkan.storage.models import MessageRow

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "mail").glob("*.eml"))
SEEDS = [p.read_bytes() for p in FIXTURES if p.stat().st_size < 200_000]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]))
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=200))]
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b'\r\nContent-Type: multipart/mixed; boundary="x"\r\n',
                        b"\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n",
                        b"=?utf-8?B?////?=",
                        b"\r\nSubject: SV: [SAM-2026-0001] svar\r\n",
                        b"\xff\xfe\x00\x00",
                    ]
                )
            )
    return bytes(data)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=mutated())
def test_mutated_mail_always_ends_as_an_outcome_and_is_kept(
    raw: bytes, engine: Engine, settings: Settings, now: datetime
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    result = intake.process(raw, source="fuzz")
    assert result.outcome in set(Outcome)
    if result.outcome is Outcome.QUARANTINED:
        assert result.reason
    with Session(engine) as session:
        stored = session.exec(
            select(func.count()).select_from(MessageRow).where(MessageRow.direction == "in")
        ).one()
    assert stored >= 1  # whatever happened, the message itself was kept


def test_there_are_seeds() -> None:
    assert len(SEEDS) >= 50
