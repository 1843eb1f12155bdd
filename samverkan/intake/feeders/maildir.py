"""The Maildir drop folder: the same service as IMAP, over a local folder.

A mail server (or a person) delivers into ``tmp/`` and renames into ``new/``; only ``new/`` is
read, so a half-written file is never seen. A message leaves ``new/`` only after
``process_batch()`` returned (its case committed): handled ones move to ``cur/`` with the Seen
flag, quarantined ones to the ``.Karantän`` sub-folder (unread, so a mail client shows them as
needing attention).
"""

from __future__ import annotations

import logging
import mailbox
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.clock import utc_now
from samverkan.intake.feeders.watching import (
    BackgroundWatcher,
    HealthState,
    LeaseKeeper,
    MessageProcessor,
    default_holder,
)
from samverkan.intake.outcome import Outcome

log = logging.getLogger(__name__)

QUARANTINE_FOLDER = "Karantän"
BATCH = 100  # messages per transaction; filed only after it commits


def open_maildir(path: Path) -> mailbox.Maildir:
    """Open the Maildir at ``path``, creating it (with new/, cur/ and tmp/) when missing."""
    for sub in ("new", "cur", "tmp"):  # exist_ok: a delivering MTA may be creating it too
        (path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    return mailbox.Maildir(path, factory=None, create=False)


def _bundled_examples() -> list[Path]:
    folder = resources.files("samverkan") / "examples"
    if not folder.is_dir():
        return []
    return sorted(Path(str(item)) for item in folder.iterdir() if item.name.endswith(".eml"))


def seed_examples(maildir: Path, examples: list[Path] | None = None) -> int:
    """Create ``maildir`` and fill it with the bundled example messages, so a demo has data.

    Only a Maildir created by this call is seeded; an existing one (even an empty one) is left
    alone, so a real drop folder never receives demo mail. Returns how many were added.
    """
    if maildir.exists():
        return 0
    md = open_maildir(maildir)
    files = _bundled_examples() if examples is None else examples
    for file in files:
        md.add(file.read_bytes())  # written to tmp/, then renamed into new/
    return len(files)


class MaildirWatcher(BackgroundWatcher):
    """Polls ``new/`` of a Maildir while this instance holds the folder's lease."""

    thread_name = "maildir-watcher"

    def __init__(
        self,
        path: Path,
        engine: Engine,
        intake: MessageProcessor,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], object] | None = None,
        poll_interval: float = 1.0,
        holder: str | None = None,
        lease_ttl: timedelta = timedelta(seconds=60),
    ) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self.path = path.absolute()
        self.intake = intake
        self.poll_interval = poll_interval
        self.lease = LeaseKeeper(
            engine, f"maildir:{self.path}", holder or default_holder(), lease_ttl, clock
        )

    def drain(self) -> int:
        """Handle every message now in ``new/``, oldest name first; returns how many."""
        md = open_maildir(self.path)
        quarantine = self.path / f".{QUARANTINE_FOLDER}"
        if not quarantine.is_dir():
            md.add_folder(QUARANTINE_FOLDER)
        new = self.path / "new"
        names = sorted(
            entry.name for entry in os.scandir(new) if entry.is_file() and entry.name[0] != "."
        )
        done = 0
        for start in range(0, len(names), BATCH):
            if self.stopping or not self.lease.hold():
                break
            done += self._handle([new / name for name in names[start : start + BATCH]], quarantine)
            log.info("Inkorg: %d/%d behandlade", done, len(names))
        return done

    def _handle(self, paths: list[Path], quarantine: Path) -> int:
        """Process a few messages in one transaction, then file them: after the commit only."""
        items: list[tuple[bytes, str]] = []
        present: list[Path] = []
        for path in paths:
            try:
                items.append((path.read_bytes(), f"maildir:{path}"))
            except FileNotFoundError:  # another instance took it meanwhile
                continue
            present.append(path)
        results = self.intake.process_batch(items) if items else []
        for path, result in zip(present, results, strict=True):
            unique = path.name.partition(":")[0]
            if result.outcome == Outcome.QUARANTINED:
                target = quarantine / "cur" / f"{unique}:2,"
            else:
                target = self.path / "cur" / f"{unique}:2,S"
            try:
                path.rename(target)
            except FileNotFoundError:
                log.debug("%s was filed by another instance", path.name)
        return len(present)

    def _run(self) -> None:
        try:
            while not self.stopping:
                wait = self.poll_interval
                if not self.lease.hold():
                    self._set_health(HealthState.STANDBY)
                    wait = self.lease.standby_wait(wait)
                elif self._drain_reporting():
                    self._set_health(HealthState.OK, success=True)
                if self._wait(wait):
                    break
        finally:
            self.lease.release()

    def _drain_reporting(self) -> bool:
        try:
            self.drain()
        except OSError as exc:
            error = f"Maildir {self.path} kan inte läsas: {exc}"
            log.error("%s", error)
            self._set_health(HealthState.UNREACHABLE, error)
            return False
        except SQLAlchemyError as exc:
            error = f"Databasfel vid läsning av {self.path}: {exc}"
            log.error("%s", error)
            self._set_health(HealthState.UNREACHABLE, error)
            return False
        return True
