"""Which feeder watches the contact mailbox: IMAP when a host is set, else the Maildir."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.feeders.maildir import MaildirWatcher, seed_examples
from samverkan.intake.feeders.watching import BackgroundWatcher, MailWatcher, MessageProcessor

log = logging.getLogger(__name__)


def start_mail_watcher(settings: Settings, engine: Engine, intake: MessageProcessor) -> MailWatcher:
    """Build and start the service's mail watcher: IMAP when a host is set, else the Maildir.

    A Maildir created here for the first time is seeded with the bundled example messages,
    so a demo has data; an existing one is never touched.
    """
    watcher: BackgroundWatcher
    if settings.imap_host:
        watcher = ImapWatcher(settings, engine, intake)
    else:
        seeded = seed_examples(settings.maildir)
        if seeded:
            log.info("Maildir %s skapad med %d exempelbrev", settings.maildir, seeded)
        watcher = MaildirWatcher(settings.maildir, engine, intake)
    watcher.start()
    return watcher
