"""Runs the IMAP watcher with the real pipeline in a process of its own, so a test can SIGKILL it.

    python -m tests.imap.runner DB_URL HOST PORT USER PASSWORD DELAY LEASE_SECONDS

DELAY seconds are slept before each message, so a backlog takes long enough to be killed in
the middle. Each finished ``process()`` call is appended, as one line, to the file named by
the environment variable ``RUNNER_LOG``. A short lease lets the restarted process take over
from the killed one quickly, as it would after the lease's normal term.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from datetime import timedelta

from pydantic import SecretStr

from samverkan.config import Settings, TlsMode
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.outcome import IngestResult
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine


class SlowIntake:
    def __init__(self, intake: Intake, delay: float, log_path: str) -> None:
        self.intake = intake
        self.delay = delay
        self.log = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the process

    def process(self, raw: bytes, *, source: str) -> IngestResult:
        return self.process_batch([(raw, source)])[0]

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> list[IngestResult]:
        time.sleep(self.delay * len(items))  # slow on purpose: the kill lands mid-backlog
        results = self.intake.process_batch(items)
        for result in results:
            self.log.write(f"{result.outcome} {result.case}\n")
        return results


def main(argv: list[str]) -> None:
    db_url, host, port, user, password, delay, lease_seconds = argv
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        imap_host=host,
        imap_port=int(port),
        imap_user=user,
        imap_password=SecretStr(password),
        imap_tls=TlsMode.NONE,
    )
    engine = make_engine(db_url)
    intake = SlowIntake(Intake(engine, settings), float(delay), os.environ["RUNNER_LOG"])
    ttl = timedelta(seconds=float(lease_seconds))
    watcher = ImapWatcher(settings, engine, intake, batch_size=10, wake_interval=0.1, lease_ttl=ttl)
    watcher.run_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
