"""Test helpers: a recording stand-in for the pipeline, messages, settings, polling waits."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import Engine

from samverkan.config import Settings, TlsMode
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.feeders.watching import MessageProcessor
from tests.imap.dovecot import Dovecot

QUARANTINE_MARK = "TRASIG"


@dataclass(frozen=True)
class FakeResult:
    source: str
    outcome: str


@dataclass
class FakeIntake:
    """Keeps the pipeline's contract: records each call, dedupes by Message-ID, quarantines
    messages whose subject says TRASIG. ``delay`` makes it slow on purpose; ``fail`` raises
    (as a database failure would) for the given number of calls.
    """

    delay: float = 0.0
    fail: int = 0
    calls: list[tuple[str, str]] = field(default_factory=list)  # (message_id, source)
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def process(self, raw: bytes, *, source: str) -> FakeResult:
        if self.delay:
            time.sleep(self.delay)
        headers = BytesHeaderParser().parsebytes(raw)
        message_id = str(headers["Message-ID"])
        with self.lock:
            if self.fail > 0:
                self.fail -= 1
                raise RuntimeError("databasen svarar inte")
            self.calls.append((message_id, source))
            if message_id in self.seen:
                return FakeResult(source, "duplicate")
            self.seen.add(message_id)
        if QUARANTINE_MARK in str(headers["Subject"]):
            return FakeResult(source, "quarantined")
        return FakeResult(source, "created")

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> list[FakeResult]:
        """Like the real pipeline's batch: one message at a time, all or nothing on failure."""
        return [self.process(raw, source=source) for raw, source in items]

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [message_id for message_id, _ in self.calls]


def make_message(n: int, subject: str | None = None, *, body: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Aktör {n} <aktor{n}@example.org>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = subject or f"Ansökan nummer {n}"
    msg["Date"] = email.utils.format_datetime(email.utils.localtime())
    msg["Message-ID"] = f"<msg-{n}@example.org>"
    msg.set_content(body or f"Meddelande {n}.\n")
    return msg.as_bytes()


def imap_settings(host: str, port: int, user: str, password: str | None, **kw: object) -> Settings:
    kw.setdefault("imap_tls", TlsMode.NONE)
    return Settings(
        _env_file=None,
        imap_host=host,
        imap_port=port,
        imap_user=user,
        imap_password=SecretStr(password) if password is not None else None,
        **kw,  # type: ignore[arg-type]
    )


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll ``condition`` every 20 ms; fail the test when it is still false at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


PROCESSED = "Samverkan/Behandlat"


def settings_for(box: Dovecot, **kw: Any) -> Settings:
    return imap_settings(box.host, box.port, box.user, box.password, **kw)


def watcher(settings: Settings, engine: Engine, intake: MessageProcessor, **kw: Any) -> ImapWatcher:
    kw.setdefault("wake_interval", 0.1)
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("backoff_cap", 0.2)
    kw.setdefault("timeout", 3.0)
    return ImapWatcher(settings, engine, intake, **kw)


def folder_ids(box: Dovecot, folder: str) -> list[str]:
    """Message-IDs in ``folder``, in UID order, read without setting \\Seen."""
    c = box.client()
    try:
        if not c.folder_exists(folder):
            return []
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        data = c.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        return [
            data[u][b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
            for u in sorted(data)
        ]
    finally:
        c.logout()
