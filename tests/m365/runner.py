"""Runs the mail watcher of ``SAMVERKAN_MAIL_BACKEND`` (Graph, or IMAP with Samverkan's own
XOAUTH2 token) with the real pipeline in a process of its own, so a test can SIGKILL it.
Everything comes from ``SAMVERKAN_*`` variables, as in production; ``REQUESTS_CA_BUNDLE``
trusts the Entra stand-in's certificate.

    python -m tests.m365.runner DELAY LEASE_SECONDS

DELAY seconds are slept per message, so a backlog takes long enough to be killed in the
middle; each finished message is appended as a line to the file named by ``RUNNER_LOG``.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

from samverkan.config import MailBackend, Settings
from samverkan.intake.feeders.graph import GraphWatcher
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from tests.imap.runner import SlowIntake


def main(argv: list[str]) -> None:
    delay, lease_seconds = argv
    settings = Settings(_env_file=None)
    engine = make_engine(settings.database_url)
    intake = SlowIntake(Intake(engine, settings), float(delay), os.environ["RUNNER_LOG"])
    ttl = timedelta(seconds=float(lease_seconds))
    watcher: GraphWatcher | ImapWatcher
    if settings.backend() is MailBackend.GRAPH:
        watcher = GraphWatcher(
            settings, engine, intake, poll_interval=0.1, page_size=5, lease_ttl=ttl
        )
    else:
        watcher = ImapWatcher(
            settings, engine, intake, batch_size=10, wake_interval=0.1, lease_ttl=ttl
        )
    watcher.run_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
