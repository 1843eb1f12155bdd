"""Fetching a chat message's files (Slack, Teams) for the intake, which reads them like a mail's
attachments: bounded in number and size, and a file that will not come is skipped, never fatal."""

from __future__ import annotations

import logging
import urllib.request

__all__ = ["MAX_FILES", "MAX_FILE_BYTES", "fetch"]

log = logging.getLogger(__name__)

MAX_FILES = 10
MAX_FILE_BYTES = 10_000_000


def fetch(url: str, *, token: str | None, platform: str) -> bytes | None:
    """The file at ``url`` (with ``token`` as a bearer when given), or None: unreachable,
    refused, not http(s), or larger than :data:`MAX_FILE_BYTES`."""
    if not url.lower().startswith(("https://", "http://")):
        return None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - checked just above
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            data: bytes = response.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        log.warning("%s: a file could not be fetched (%s)", platform, type(exc).__name__)
        return None
    return data if len(data) <= MAX_FILE_BYTES else None
