"""The IMAP watcher against a real Dovecot: delivery, filing, position, recovery, health."""

from __future__ import annotations

import logging
import ssl
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from samverkan.config import TlsMode
from samverkan.intake.feeders.imap import PROCESSED_KEYWORD, ImapWatcher, mailbox_key
from samverkan.intake.feeders.start import start_mail_watcher
from samverkan.intake.feeders.watching import HealthState
from samverkan.storage.mailbox_state import load_position
from tests.imap.dovecot import Dovecot, DovecotServer, free_port
from tests.imap.support import (
    PROCESSED,
    FakeIntake,
    folder_ids,
    imap_settings,
    make_message,
    settings_for,
    wait_until,
    watcher,
)

QUARANTINE = "Samverkan/Karantän"


def folder_flags(box: Dovecot, folder: str) -> list[tuple[bytes, ...]]:
    c = box.client()
    try:
        c.select_folder(folder, readonly=True)
        data = c.fetch(c.search(["ALL"]), ["FLAGS"])
        return [tuple(data[u][b"FLAGS"]) for u in sorted(data)]
    finally:
        c.logout()


def test_new_mail_is_handled_within_seconds_through_idle(
    dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    intake = FakeIntake()
    w = watcher(settings_for(dovecot), sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: w.health.state is HealthState.OK, what="the first sync")
        sent = time.monotonic()
        dovecot.append(make_message(1))
        wait_until(lambda: folder_ids(dovecot, PROCESSED) == ["<msg-1@example.org>"], 5)
        assert time.monotonic() - sent < 3
    finally:
        w.stop()
    assert intake.message_ids == ["<msg-1@example.org>"]
    assert folder_ids(dovecot, "INBOX") == []
    assert b"\\Seen" not in folder_flags(dovecot, PROCESSED)[0], "left unread for the officials"
    assert w.health.last_success_at is not None


def test_mail_arriving_just_after_the_last_one_is_not_left_waiting(
    dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    """Each message is appended the moment the one before was handled: the race in which a
    server announces new mail in a MOVE reply, or not at all, instead of during IDLE."""
    intake = FakeIntake()
    w = watcher(settings_for(dovecot), sqlite_engine, intake)
    w.start()
    c = dovecot.client()
    try:
        wait_until(lambda: w.health.state is HealthState.OK)
        for n in range(1, 5):
            c.append("INBOX", make_message(n))
            wait_until(lambda n=n: len(intake.calls) == n, 3, f"message {n}")  # type: ignore[misc]
    finally:
        c.logout()
        w.stop()


def test_quarantined_mail_goes_to_the_quarantine_folder(
    dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    dovecot.append(make_message(1))
    dovecot.append(make_message(2, "TRASIG bilaga"))
    intake = FakeIntake()
    w = watcher(settings_for(dovecot), sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: len(intake.calls) == 2 and folder_ids(dovecot, "INBOX") == [])
    finally:
        w.stop()
    assert folder_ids(dovecot, PROCESSED) == ["<msg-1@example.org>"]
    assert folder_ids(dovecot, QUARANTINE) == ["<msg-2@example.org>"]
    c = dovecot.client()
    try:  # the server stores the name in modified UTF-7; imapclient decodes it back
        names = {name for _, _, name in c.list_folders()}
        subscribed = {name for _, _, name in c.list_sub_folders()}
    finally:
        c.logout()
    assert {PROCESSED, QUARANTINE} <= names
    assert {PROCESSED, QUARANTINE} <= subscribed


def test_backlog_is_worked_off_in_batches_in_order(
    dovecot: Dovecot, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    c = dovecot.client()
    try:
        for n in range(1, 61):
            c.append("INBOX", make_message(n))
    finally:
        c.logout()
    intake = FakeIntake()
    settings = settings_for(dovecot)
    w = watcher(settings, sqlite_engine, intake, batch_size=25)
    with caplog.at_level(logging.INFO, logger="samverkan.intake.feeders.imap"):
        w.start()
        try:
            wait_until(lambda: w.health.state is HealthState.OK, 20, "the backlog")
        finally:
            w.stop()
    assert intake.message_ids == [f"<msg-{n}@example.org>" for n in range(1, 61)]
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Inkorg:")]
    assert progress == [
        "Inkorg: 25/60 behandlade",
        "Inkorg: 50/60 behandlade",
        "Inkorg: 60/60 behandlade",
    ]
    position = load_position(sqlite_engine, mailbox_key(settings))
    assert position is not None
    assert position.last_uid == 60


def test_a_database_failure_leaves_the_message_in_the_inbox_until_it_succeeds(
    dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    dovecot.append(make_message(1))
    intake = FakeIntake(fail=2)
    w = watcher(settings_for(dovecot), sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: folder_ids(dovecot, PROCESSED) == ["<msg-1@example.org>"])
    finally:
        w.stop()
    assert intake.message_ids == ["<msg-1@example.org>"]
    assert w.health.last_error is not None
    assert "databasen svarar inte" in w.health.last_error


def test_without_idle_or_move_it_polls_copies_and_resumes_by_uid(
    limited_dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    box = limited_dovecot
    box.append(make_message(1))
    box.append(make_message(2))
    settings = settings_for(box)
    first = FakeIntake()
    w = watcher(settings, sqlite_engine, first, poll_interval=0.2)
    w.start()
    try:
        wait_until(lambda: len(first.calls) == 2)
        box.append(make_message(3))
        wait_until(lambda: len(first.calls) == 3, 5, "a poll to find the new mail")
    finally:
        w.stop()
    # Copied, not moved: the originals stay, flagged, and are not read again after a restart.
    assert folder_ids(box, "INBOX") == [f"<msg-{n}@example.org>" for n in (1, 2, 3)]
    assert folder_ids(box, PROCESSED) == [f"<msg-{n}@example.org>" for n in (1, 2, 3)]
    assert all(PROCESSED_KEYWORD.encode() in flags for flags in folder_flags(box, "INBOX"))

    box.append(make_message(4))
    second = FakeIntake()
    w = watcher(settings, sqlite_engine, second, poll_interval=0.2)
    w.start()
    try:
        wait_until(lambda: len(second.calls) >= 1)
        time.sleep(0.5)  # two more polls: nothing else may be read
    finally:
        w.stop()
    assert second.message_ids == ["<msg-4@example.org>"]


def test_changed_uidvalidity_rescans_the_folder(
    dovecot: Dovecot, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(dovecot, imap_folder="Intag")
    for n in (1, 2):
        dovecot.append(make_message(n), "Intag")
    intake = FakeIntake()
    w = watcher(settings, sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: len(intake.calls) == 2)
    finally:
        w.stop()
    before = load_position(sqlite_engine, mailbox_key(settings))
    assert before is not None

    c = dovecot.client()
    try:  # the folder is recreated: new UIDVALIDITY, UIDs start at 1 again
        c.delete_folder("Intag")
        c.create_folder("Intag")
        for n in (3, 4, 5):
            c.append("Intag", make_message(n))
    finally:
        c.logout()
    w = watcher(settings, sqlite_engine, intake)
    with caplog.at_level(logging.WARNING, logger="samverkan.intake.feeders.imap"):
        w.start()
        try:
            wait_until(lambda: len(intake.calls) == 5)
        finally:
            w.stop()
    assert intake.message_ids[2:] == [f"<msg-{n}@example.org>" for n in (3, 4, 5)]
    after = load_position(sqlite_engine, mailbox_key(settings))
    assert after is not None
    assert after.uidvalidity != before.uidvalidity
    assert after.last_uid == 3
    assert any("UIDVALIDITY" in r.getMessage() for r in caplog.records)


def test_watcher_reconnects_after_the_server_restarts(
    dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    intake = FakeIntake()
    w = watcher(settings_for(dovecot), sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: w.health.state is HealthState.OK)
        dovecot.server.kill()
        wait_until(lambda: w.health.state is HealthState.UNREACHABLE, 5, "the drop noticed")
        dovecot.server.start()
        dovecot.append(make_message(1))
        wait_until(lambda: folder_ids(dovecot, PROCESSED) == ["<msg-1@example.org>"], 10)
        # Health turns OK when the sync that moved the mail has finished, a moment later.
        wait_until(lambda: w.health.state is HealthState.OK, 5, "health back to OK")
    finally:
        w.stop()
    assert intake.message_ids == ["<msg-1@example.org>"]


def test_failed_login_is_reported_without_the_password(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Its own server: Dovecot slows down later logins from an address that failed one.
    server = DovecotServer()
    server.start()
    box = server.mailbox()
    settings = imap_settings(box.host, box.port, box.user, "fel-lösen-123")
    w = watcher(settings, sqlite_engine, FakeIntake())
    with caplog.at_level(logging.DEBUG):
        w.start()
        try:
            wait_until(lambda: w.health.state is HealthState.LOGIN_FAILED)
        finally:
            w.stop()
            server.close()
    assert w.health.last_error is not None
    assert "Inloggningen" in w.health.last_error
    assert "fel-lösen-123" not in caplog.text
    assert any(r.levelno == logging.ERROR and "Inloggningen" in r.message for r in caplog.records)


def test_unreachable_server_backs_off_exponentially_with_jitter(sqlite_engine: Engine) -> None:
    settings = imap_settings("127.0.0.1", free_port(), "bot", "x")
    delays: list[float] = []
    w = ImapWatcher(
        settings, sqlite_engine, FakeIntake(), sleep=delays.append, rand=lambda: 1.0,
        backoff_base=1.0, backoff_cap=8.0,
    )  # fmt: skip

    def record(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 6:
            w.stop(timeout=0)

    w._sleep = record
    w.run_forever()
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert w.health.last_error is not None
    assert "kan inte nås" in w.health.last_error


def test_stop_ends_an_idle_watcher_promptly(dovecot: Dovecot, sqlite_engine: Engine) -> None:
    w = ImapWatcher(settings_for(dovecot), sqlite_engine, FakeIntake())  # default 1 s wake-up
    w.start()
    wait_until(lambda: w.health.state is HealthState.OK)
    started = time.monotonic()
    w.stop()
    assert time.monotonic() - started < 2.5
    assert w.health.state is HealthState.STOPPED


def test_xoauth2_login_with_a_token_from_a_command(dovecot: Dovecot, sqlite_engine: Engine) -> None:
    # The test server accepts its one secret as bearer token too.
    command = f"{sys.executable} -c \"print('{dovecot.password}')\""
    settings = imap_settings(
        dovecot.host, dovecot.port, dovecot.user, None, imap_oauth2_command=command
    )
    dovecot.append(make_message(1))
    intake = FakeIntake()
    w = watcher(settings, sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: intake.message_ids == ["<msg-1@example.org>"])
    finally:
        w.stop()


def test_a_second_instance_waits_while_the_first_holds_the_lease(
    dovecot: Dovecot, pg_database: str
) -> None:
    from samverkan.storage.db import make_engine

    engine = make_engine(pg_database)
    settings = settings_for(dovecot)
    first, second = FakeIntake(), FakeIntake()
    a = watcher(settings, engine, first, holder="instans-a", lease_ttl=timedelta(seconds=30))
    b = watcher(settings, engine, second, holder="instans-b", lease_ttl=timedelta(seconds=30))
    a.start()
    try:
        wait_until(lambda: a.health.state is HealthState.OK)
        b.start()
        wait_until(lambda: b.health.state is HealthState.STANDBY)
        for n in (1, 2, 3):
            dovecot.append(make_message(n))
        wait_until(lambda: len(first.calls) == 3)
        assert second.calls == []
        a.stop()  # releases the lease: b takes over without waiting for expiry
        dovecot.append(make_message(4))
        wait_until(lambda: second.message_ids == ["<msg-4@example.org>"], 10)
    finally:
        a.stop()
        b.stop()
        engine.dispose()
    assert first.message_ids == [f"<msg-{n}@example.org>" for n in (1, 2, 3)]


@pytest.mark.parametrize("mode", [TlsMode.SSL, TlsMode.STARTTLS])
def test_tls_and_starttls_connections_verify_the_certificate(
    mode: TlsMode, sqlite_engine: Engine
) -> None:
    server = DovecotServer(tls=True)
    server.start()
    try:
        box = server.mailbox()
        box.append(make_message(1))
        port = server.imaps_port if mode is TlsMode.SSL else server.port
        settings = imap_settings("localhost", port, box.user, box.password, imap_tls=mode)
        trusting = ssl.create_default_context(cafile=str(server.cafile))
        intake = FakeIntake()
        w = watcher(settings, sqlite_engine, intake, ssl_context=trusting)
        w.start()
        try:
            wait_until(lambda: intake.message_ids == ["<msg-1@example.org>"])
        finally:
            w.stop()
        # Without trust in the certificate, nothing is read and health says why.
        distrusting = watcher(settings, sqlite_engine, FakeIntake())
        distrusting.start()
        try:
            wait_until(lambda: distrusting.health.state is HealthState.UNREACHABLE)
        finally:
            distrusting.stop()
        assert "CERTIFICATE_VERIFY_FAILED" in (distrusting.health.last_error or "")
    finally:
        server.close()


def test_start_mail_watcher_chooses_imap_when_a_host_is_set(
    dovecot: Dovecot, sqlite_engine: Engine
) -> None:
    dovecot.append(make_message(1))
    intake = FakeIntake()
    w = start_mail_watcher(settings_for(dovecot), sqlite_engine, intake)
    try:
        assert isinstance(w, ImapWatcher)
        wait_until(lambda: intake.message_ids == ["<msg-1@example.org>"])
    finally:
        w.stop()
