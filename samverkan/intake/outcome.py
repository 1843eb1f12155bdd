"""What became of one incoming message: the one vocabulary feeders, the CLI and tests share.

It lives apart from the pipeline so that a feeder can file a message by its outcome without
importing the pipeline (and everything the pipeline imports).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    CREATED = "created"
    APPENDED = "appended"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"

    @property
    def label(self) -> str:
        """The Swedish word a registrar reads (``ingest`` and its summary line)."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.CREATED: "nytt ärende",
    Outcome.APPENDED: "tillagt i ärende",
    Outcome.DUPLICATE: "dubblett",
    Outcome.IGNORED: "ignorerat",
    Outcome.QUARANTINED: "i karantän",
}


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
