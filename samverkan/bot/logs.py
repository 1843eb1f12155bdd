"""Logging for the service and the command line: local time, quiet libraries, JSON on request.

- Every timestamp is local time in ``SAMVERKAN_TIMEZONE`` with its offset, so the log and the
  deadlines officials read agree.
- APScheduler's "running job"/"executed successfully" lines every 30 s are chatter: they are
  shown only at ``SAMVERKAN_LOG_LEVEL=DEBUG``. A PDF parser's complaints about a malformed
  attachment are not the operator's business and never reach the terminal.
- ``SAMVERKAN_LOG_FORMAT=json`` writes one JSON object a line for a log collector. Whatever the
  format, e-mail addresses and personal identity numbers are masked before a line is written:
  the log is not a register of people.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from samverkan.rules.personal import mask_identity_numbers

if TYPE_CHECKING:
    from samverkan.config import Settings

# Libraries whose INFO lines are routine (shown at DEBUG only).
CHATTY = ("apscheduler", "httpx", "slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp.access")
# Libraries whose warnings describe the mail, not the service (never shown).
SILENCED = ("pypdf", "docx")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_personal_data(text: str) -> str:
    """E-mail addresses and personal identity numbers out of a log line."""
    return mask_identity_numbers(_EMAIL.sub("<e-post>", text))


class _LocalTime(logging.Formatter):
    def __init__(self, fmt: str | None, zone: ZoneInfo) -> None:
        super().__init__(fmt)
        self.zone = zone

    def local(self, record: logging.LogRecord) -> datetime:
        return datetime.fromtimestamp(record.created, self.zone)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return self.local(record).isoformat(sep=" ", timespec="seconds")


class TextFormatter(_LocalTime):
    """``2026-12-02 09:15:03+01:00 INFO samverkan.bot.serve: …`` with personal data masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_data(super().format(record))


class JsonFormatter(_LocalTime):
    """One JSON object a line: time, level, logger, message (and the error's type and trace)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": self.local(record).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _StandardError(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a line is written (as logging's last resort
    does), so a replaced or closed stream (a test's capture) is never written to later."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def quiet_libraries(debug: bool = False) -> None:
    """Routine library lines only at DEBUG; parser complaints about mail never."""
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    for name in SILENCED:
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False


def configure_logging(settings: Settings) -> None:
    """The service's logging, from the settings; replaces the handler it installed before
    (and only that one: a log collector's or a test's handler stays)."""
    zone = ZoneInfo(settings.timezone)
    handler = _StandardError()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(None, zone))
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", zone))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StandardError)]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    root.setLevel(level)
    quiet_libraries(debug=level <= logging.DEBUG)
