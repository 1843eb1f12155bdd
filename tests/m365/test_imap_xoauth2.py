"""IMAP with Samverkan's own app-only token (XOAUTH2) against a Dovecot that introspects
bearer tokens at the Entra stand-in: no password anywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.config import TlsMode
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.feeders.watching import HealthState
from samverkan.intake.m365.token import EXCHANGE_SCOPE, GRAPH_SCOPE, M365Auth
from samverkan.intake.pipeline import Intake
from samverkan.storage.models import CaseRow
from tests.conftest import NOW
from tests.imap.dovecot import DovecotServer
from tests.imap.support import FakeIntake, make_message, wait_until
from tests.m365.conftest import m365_settings, trusting
from tests.m365.entra import Entra


def _client(server: DovecotServer, user: str, token: str) -> IMAPClient:
    c = IMAPClient(server.host, port=server.port, ssl=False, timeout=10)
    c.oauth2_login(user, token)
    return c


def _watcher(
    entra: Entra, server: DovecotServer, engine: Engine, intake: FakeIntake
) -> ImapWatcher:
    settings = m365_settings(
        entra,
        imap_host=server.host,
        imap_port=server.port,
        imap_user=entra.mailbox_user,
        imap_tls=TlsMode.NONE,
    )
    auth = M365Auth(settings, app_factory=trusting(entra))
    return ImapWatcher(
        settings, engine, intake, auth=auth, wake_interval=0.1, backoff_base=0.05, backoff_cap=0.2
    )


def test_the_watcher_logs_in_with_its_own_token_and_reads_mail(
    entra: Entra, oauth_dovecot: DovecotServer, sqlite_engine: Engine
) -> None:
    entra.mailbox_user = "kontakt-imap@malmo.example"
    intake = FakeIntake()
    w = _watcher(entra, oauth_dovecot, sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: w.health.state is HealthState.OK, what="an XOAUTH2 login")
        (token,) = entra.tokens_for(EXCHANGE_SCOPE)  # asked for the Exchange Online scope
        other = _client(oauth_dovecot, entra.mailbox_user, token)  # a person delivering mail
        try:
            other.append("INBOX", make_message(1))
        finally:
            other.logout()
        wait_until(lambda: intake.message_ids == ["<msg-1@example.org>"], what="the message")
    finally:
        w.stop()


def test_dovecot_refuses_a_token_issued_for_another_scope(
    entra: Entra, oauth_dovecot: DovecotServer
) -> None:
    auth = M365Auth(m365_settings(entra), app_factory=trusting(entra))
    with pytest.raises(LoginError):
        _client(oauth_dovecot, entra.mailbox_user, auth.token(GRAPH_SCOPE))
    _client(oauth_dovecot, entra.mailbox_user, auth.token(EXCHANGE_SCOPE)).logout()


def test_a_token_that_cannot_be_had_is_one_line_in_health_not_a_crash(
    entra: Entra, oauth_dovecot: DovecotServer, sqlite_engine: Engine
) -> None:
    entra.refuse = "invalid_client"
    w = _watcher(entra, oauth_dovecot, sqlite_engine, FakeIntake())
    w.start()
    try:
        wait_until(lambda: w.health.state is HealthState.LOGIN_FAILED, what="login_failed")
        error = w.health.last_error or ""
        assert "invalid_client" in error
        assert "\n" not in error
        entra.refuse = None  # the administrator fixed the app: the watcher recovers by itself
        wait_until(lambda: w.health.state is HealthState.OK, what="recovery")
    finally:
        w.stop()


def test_a_backlog_and_live_mail_over_xoauth2_each_become_one_case(
    entra: Entra, oauth_dovecot: DovecotServer, sqlite_engine: Engine
) -> None:
    entra.mailbox_user = "kontakt-backlog@malmo.example"
    delivering = M365Auth(m365_settings(entra), app_factory=trusting(entra))
    other = _client(oauth_dovecot, entra.mailbox_user, delivering.token(EXCHANGE_SCOPE))
    try:
        for n in (1, 2, 3):
            other.append("INBOX", make_message(n))
    finally:
        other.logout()
    w = _watcher(entra, oauth_dovecot, sqlite_engine, FakeIntake())
    w.intake = Intake(sqlite_engine, w.settings, clock=lambda: NOW)

    def cases() -> int:
        with Session(sqlite_engine) as session:
            return int(session.scalar(select(func.count()).select_from(CaseRow)) or 0)

    w.start()
    try:
        wait_until(lambda: cases() == 3, 20, "the backlog")
        other = _client(oauth_dovecot, entra.mailbox_user, delivering.token(EXCHANGE_SCOPE))
        try:
            other.append("INBOX", make_message(4))
        finally:
            other.logout()
        wait_until(lambda: cases() == 4, 20, "live mail")
    finally:
        w.stop()


def test_after_a_dropped_connection_a_due_token_is_refreshed_for_the_new_login(
    entra: Entra, oauth_dovecot: DovecotServer, sqlite_engine: Engine
) -> None:
    entra.mailbox_user = "kontakt-refresh@malmo.example"
    now = [NOW]
    w = _watcher(entra, oauth_dovecot, sqlite_engine, FakeIntake())
    assert w.auth is not None
    w.auth.clock = lambda: now[0]
    w.start()
    try:
        wait_until(lambda: w.health.state is HealthState.OK, what="the first login")
        assert len(entra.tokens_for(EXCHANGE_SCOPE)) == 1
        now[0] += timedelta(minutes=56)  # inside the last five minutes of the token
        oauth_dovecot.restart()  # the server drops every connection
        wait_until(lambda: len(entra.tokens_for(EXCHANGE_SCOPE)) == 2, 20, "a fresh token")
        wait_until(lambda: w.health.state is HealthState.OK, 20, "the new login")
    finally:
        w.stop()
