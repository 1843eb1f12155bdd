"""A reply that answers a request for a result or effect measurement, read into the case.

Storage says what was asked of the actor and not yet recorded (and which request the reply
answers by its thread); ``extraction/measurements.py`` reads the answer; the measurement is
written with the rest of the reply through :class:`~samverkan.storage.cases.CaseWrites`. Once
it is recorded the deadline policy wants neither the request nor its reminder 14 days later,
so the tick's reconciling cancels what is still pending. The contact person is told in the
reply's notice, with the figures and the command that records a correction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from samverkan.intake.extraction.measurements import MeasurementAnswer, read_measurement
from samverkan.intake.reading.parse import ParsedMessage
from samverkan.rules.phases import Phase, Role, Transition, transition
from samverkan.storage.cases import Case, CaseWrites
from samverkan.storage.deadlines import asked_measurements

__all__ = ["BY_ACTOR", "answer_notice", "read_answer", "record_answer"]

BY_ACTOR = "sökanden (e-post)"
"""Who recorded a measurement read from the actor's reply."""
_FOLLOWING_UP = (Phase.GENOMFORANDE, Phase.UPPFOLJNING)
LABELS = {"resultat": "resultatmätning", "effekt": "effektmätning"}
FIGURES_NAMED = 6


def read_answer(
    conn: Connection, writes: CaseWrites, case: Case, msg: ParsedMessage
) -> MeasurementAnswer | None:
    """The measurement the reply gives, when the case waits for one and the reply has it."""
    if case.phase not in _FOLLOWING_UP:
        return None
    writes.flush(conn)  # a measurement read from an earlier reply in this batch counts
    thread = [i for i in (msg.in_reply_to, *msg.references) if i]
    asked, replied_to = asked_measurements(conn, case.id, thread)
    return read_measurement(msg.new_text, asked=asked, replied_to=replied_to)


def record_answer(
    writes: CaseWrites, case: Case, answer: MeasurementAnswer, now: datetime
) -> Transition | None:
    """Write the measurement; the move into ``uppfoljning`` it makes, if the case moves."""
    writes.measurement(case.id, kind=answer.kind, text=answer.text, by=BY_ACTOR, now=now)
    if case.phase is not Phase.GENOMFORANDE:
        return None
    why = f"{LABELS[answer.kind]} inkommen från sökanden"
    return transition(
        case.phase, Phase.UPPFOLJNING, by="system", role=Role.SYSTEM, why=why, now=now
    )


def answer_notice(ref: str, answer: MeasurementAnswer) -> str:
    """The reply's notice when it gave a measurement."""
    label = LABELS[answer.kind]
    shown = [str(f) for f in answer.figures[:FIGURES_NAMED]]
    more = len(answer.figures) - len(shown)
    figures = "; ".join(shown) + (f" och {more} till" if more > 0 else "")
    return (
        f"Svar i ärende {ref}: sökandens {label} är registrerad"
        + (f" ({figures})" if figures else "")
        + f". Rätta med: uppföljning {ref} {answer.kind} <text>"
    )
