"""Which feeder watches the contact mailbox: ``MAIL_BACKEND``, or IMAP when a host is set,
else the Maildir drop folder."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from samverkan.config import MailBackend, Settings
from samverkan.intake.feeders.graph import GraphConfigError, GraphWatcher
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.feeders.maildir import MaildirWatcher, seed_examples
from samverkan.intake.feeders.watching import BackgroundWatcher, MailWatcher, MessageProcessor

log = logging.getLogger(__name__)


class MailboxConfigError(Exception):
    """The mailbox settings cannot make a watcher; ``str()`` says what to set."""


def start_mail_watcher(settings: Settings, engine: Engine, intake: MessageProcessor) -> MailWatcher:
    """Build and start the service's mail watcher for the configured backend.

    A Maildir created here for the first time is seeded with the bundled example messages,
    so a demo has data; an existing one is never touched.
    """
    watcher: BackgroundWatcher
    backend = settings.backend()
    if backend is MailBackend.GRAPH:
        try:
            watcher = GraphWatcher(settings, engine, intake)
        except GraphConfigError as exc:
            raise MailboxConfigError(str(exc)) from exc
    elif backend is MailBackend.IMAP:
        if not settings.imap_host:
            raise MailboxConfigError("MAIL_BACKEND=imap kräver IMAP_HOST")
        watcher = ImapWatcher(settings, engine, intake)
    else:
        seeded = seed_examples(settings.maildir)
        if seeded:
            log.info("Maildir %s skapad med %d exempelbrev", settings.maildir, seeded)
        watcher = MaildirWatcher(settings.maildir, engine, intake)
    watcher.start()
    return watcher
