"""Which mailbox backend the settings make, and the one line a half-configured one gives."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from samverkan.config import MailBackend, Settings
from samverkan.intake.feeders.start import MailboxConfigError, start_mail_watcher
from tests.imap.support import FakeIntake


def test_the_backend_follows_mail_backend_else_what_is_configured() -> None:
    assert Settings(_env_file=None).backend() is MailBackend.MAILDIR
    assert Settings(_env_file=None, imap_host="imap.example").backend() is MailBackend.IMAP
    graph = Settings(_env_file=None, imap_host="imap.example", mail_backend="graph")
    assert graph.backend() is MailBackend.GRAPH


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"mail_backend": "graph"}, "GRAPH_MAILBOX saknas"),
        ({"mail_backend": "graph", "graph_mailbox": "k@malmo.example"}, "M365_TENANT_ID"),
        ({"mail_backend": "imap"}, "IMAP_HOST"),
    ],
)
def test_a_half_configured_backend_says_what_to_set(
    settings: dict[str, str], says: str, sqlite_engine: Engine
) -> None:
    with pytest.raises(MailboxConfigError, match=says):
        start_mail_watcher(Settings(_env_file=None, **settings), sqlite_engine, FakeIntake())  # type: ignore[arg-type]
