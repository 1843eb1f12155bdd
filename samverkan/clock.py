"""The one wall clock. Everything else takes ``now`` or a clock callable, so tests set the time."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
