"""The contact mailbox over IMAP: IDLE for new mail, filing after commit, resuming by UID.

Position is UIDVALIDITY plus the last UID handled, stored in the database (not the \\Seen flag,
which people reading the mailbox in Outlook change). Messages are fetched with BODY.PEEK[]
(they stay unread), handed to the pipeline up to ``file_every`` at a time in one transaction
(``process_batch``), and only after it returned - their cases committed - moved to the processed
or quarantine folder in one command; then the stored position advances. A crash anywhere in
between makes the next run fetch those messages again, and the pipeline answers DUPLICATE.
Nothing is ever deleted on the server.
"""

from __future__ import annotations

import logging
import random
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.clock import utc_now
from samverkan.config import Settings, TlsMode
from samverkan.intake.feeders.imap_token import ImapConfigError, oauth2_token
from samverkan.intake.feeders.watching import (
    BackgroundWatcher,
    Backoff,
    HealthState,
    LeaseKeeper,
    MessageProcessor,
    default_holder,
)
from samverkan.intake.m365.token import M365Auth
from samverkan.intake.outcome import Outcome
from samverkan.storage.mailbox_state import load_position, save_position

log = logging.getLogger(__name__)

PROCESSED_KEYWORD = "$SamverkanBehandlat"
"""Set on the original when the server cannot MOVE and the message is copied instead."""

IDLE_REFRESH = 25 * 60.0
"""Re-issue IDLE this often: RFC 2177 lets servers drop an IDLE after 29 minutes."""


def connect(
    settings: Settings,
    *,
    timeout: float = 60.0,
    ssl_context: ssl.SSLContext | None = None,
    token_runner: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
    auth: M365Auth | None = None,
) -> IMAPClient:
    """A logged-in client per the settings: TLS, STARTTLS or plain; XOAUTH2 or password."""
    if not settings.imap_host:
        raise ImapConfigError("IMAP_HOST saknas")
    if not settings.imap_user:
        raise ImapConfigError("IMAP_USER saknas")
    token = oauth2_token(settings, run=token_runner, auth=auth)
    if token is None and settings.imap_password is None:
        raise ImapConfigError(
            "Varken IMAP_PASSWORD, IMAP_OAUTH2_TOKEN/-COMMAND eller M365_* är satt"
        )
    mode = settings.imap_tls
    port = settings.imap_port or (993 if mode is TlsMode.SSL else 143)
    context = ssl_context or ssl.create_default_context()
    client = IMAPClient(
        settings.imap_host,
        port=port,
        ssl=mode is TlsMode.SSL,
        ssl_context=context if mode is TlsMode.SSL else None,
        timeout=timeout,
    )
    try:
        if mode is TlsMode.STARTTLS:
            client.starttls(context)
        if token is not None:
            client.oauth2_login(settings.imap_user, token)
        else:
            assert settings.imap_password is not None  # noqa: S101 - checked above
            password = settings.imap_password.get_secret_value()
            if (settings.imap_user + password).isascii():
                client.login(settings.imap_user, password)
            else:  # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8 ("lösen")
                client.plain_login(settings.imap_user, password)
    except BaseException:
        _close(client)
        raise
    _keepalive(client)
    return client


def _keepalive(client: IMAPClient) -> None:
    """TCP keepalive, so a connection whose peer vanished without a word fails within minutes
    instead of waiting for the next IDLE refresh."""
    sock = client.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4)):
        if hasattr(socket, option):  # Linux names; other systems keep their defaults
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


def _close(client: IMAPClient) -> None:
    """Say goodbye if the connection still works; drop the socket either way."""
    try:
        client.logout()
    except (OSError, IMAPClientError):
        try:
            client.shutdown()
        except OSError as exc:
            log.debug("closing a dead IMAP socket: %s", exc)


def server_folder(name: str, prefix: str, delimiter: str) -> str:
    """A configured folder path (written with ``/``) as this server names it.

    Servers differ in their hierarchy delimiter (``/`` or ``.``) and some keep personal folders
    under a prefix such as ``INBOX.``.
    """
    if name.upper() == "INBOX":
        return name
    path = delimiter.join(name.split("/")) if delimiter else name
    if prefix and not path.startswith(prefix):
        path = prefix + path
    return path


def mailbox_key(settings: Settings) -> str:
    """The mailbox's name in the position and lease tables."""
    return f"imap://{settings.imap_user}@{settings.imap_host}/{settings.imap_folder}"


def _batches(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def split_by_size(uids: Sequence[int], sizes: dict[int, int], max_bytes: int) -> list[list[int]]:
    """Group UIDs so one FETCH brings at most ``max_bytes`` (a single big one may exceed it)."""
    groups: list[list[int]] = []
    current: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if current and total + size > max_bytes:
            groups.append(current)
            current, total = [], 0
        current.append(uid)
        total += size
    if current:
        groups.append(current)
    return groups


class _LeaseLost(Exception):
    pass


class _Filing:
    """Messages processed (their cases committed) but not yet moved out of the inbox.

    Moving a few at a time in one command keeps the backlog rate close to the pipeline's own;
    a crash before the move only means those few are fetched again and found DUPLICATE.
    """

    def __init__(self, client: IMAPClient, targets: dict[bool, str], can_move: bool) -> None:
        self.client = client
        self.targets = targets
        self.can_move = can_move
        self.by_target: dict[str, list[int]] = {}
        self.last_uid: int | None = None
        self.pending = 0

    def add(self, uid: int, quarantined: bool | None) -> None:
        if quarantined is not None:
            self.by_target.setdefault(self.targets[quarantined], []).append(uid)
        self.last_uid = uid
        self.pending += 1

    def flush(self) -> int | None:
        """File everything pending; returns the highest UID now handled, if any."""
        for target, uids in self.by_target.items():
            if self.can_move:
                self.client.move(uids, target)
            else:
                self.client.copy(uids, target)
                self.client.add_flags(uids, [PROCESSED_KEYWORD])
        last_uid, self.last_uid = self.last_uid, None
        self.by_target, self.pending = {}, 0
        return last_uid


class ProcessingFailed(Exception):
    """``process()`` raised (the database is away, or a bug): the message stays unfiled."""


class ImapWatcher(BackgroundWatcher):
    """Reads the contact mailbox in its own thread while this instance holds the lease."""

    thread_name = "imap-watcher"

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        intake: MessageProcessor,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], object] | None = None,
        rand: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
        holder: str | None = None,
        batch_size: int = 200,
        max_batch_bytes: int = 50 * 1024 * 1024,
        idle_refresh: float = IDLE_REFRESH,
        poll_interval: float = 30.0,
        wake_interval: float = 1.0,
        settle: float = 2.0,
        file_every: int = 100,
        lease_ttl: timedelta = timedelta(seconds=60),
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        ssl_context: ssl.SSLContext | None = None,
        token_runner: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
        timeout: float = 60.0,
        auth: M365Auth | None = None,
    ) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self.timeout = timeout
        self.settings = settings
        self.engine = engine
        self.intake = intake
        self.key = mailbox_key(settings)
        self.lease = LeaseKeeper(engine, self.key, holder or default_holder(), lease_ttl, clock)
        self.backoff = Backoff(backoff_base, backoff_cap, rand)
        self.monotonic = monotonic
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.idle_refresh = idle_refresh
        self.poll_interval = poll_interval
        self.wake_interval = wake_interval
        self.settle = settle
        self.file_every = file_every
        self.ssl_context = ssl_context
        self.token_runner = token_runner
        self.auth = auth

    # -- the outer loop: lease, connection, backoff ----------------------------------------

    def _run(self) -> None:
        where = f"{self.settings.imap_host}:{self.settings.imap_port or ''}"
        try:
            while not self.stopping:
                if not self.lease.hold():
                    self._set_health(HealthState.STANDBY)
                    if self._wait(self.lease.standby_wait(self.wake_interval * 5)):
                        break
                    continue
                self._set_health(HealthState.CONNECTING)
                try:
                    client = connect(
                        self.settings,
                        timeout=self.timeout,
                        ssl_context=self.ssl_context,
                        token_runner=self.token_runner,
                        auth=self.auth,
                    )
                except (LoginError, ImapConfigError) as exc:
                    error = f"Inloggningen på IMAP-servern {where} misslyckades: {exc}"
                    log.error("%s", error)
                    self._set_health(HealthState.LOGIN_FAILED, error)
                    self._wait(self.backoff.next_delay())
                    continue
                except (OSError, IMAPClientError) as exc:
                    error = f"IMAP-servern {where} kan inte nås: {exc}"
                    log.warning("%s", error)
                    self._set_health(HealthState.UNREACHABLE, error)
                    self._wait(self.backoff.next_delay())
                    continue
                try:
                    self._serve(client)
                except _LeaseLost:
                    continue
                except (OSError, IMAPClientError) as exc:
                    error = f"Förbindelsen med IMAP-servern {where} bröts: {exc}"
                    log.warning("%s", error)
                    self._set_health(HealthState.UNREACHABLE, error)
                    self._wait(self.backoff.next_delay())
                except (ProcessingFailed, SQLAlchemyError) as exc:
                    error = f"Inkorgen kunde inte behandlas: {exc}"
                    log.error("%s", error)
                    self._set_health(HealthState.UNREACHABLE, error)
                    self._wait(self.backoff.next_delay())
                finally:
                    _close(client)
        finally:
            self.lease.release()

    # -- one connection ---------------------------------------------------------------------

    def _serve(self, client: IMAPClient) -> None:
        capabilities = {bytes(c).upper() for c in client.capabilities()}
        can_idle = b"IDLE" in capabilities
        can_move = b"MOVE" in capabilities
        prefix, delimiter = self._namespace(client, b"NAMESPACE" in capabilities)
        folder = server_folder(self.settings.imap_folder, prefix, delimiter)
        processed = server_folder(self.settings.imap_processed_folder, prefix, delimiter)
        quarantine = server_folder(self.settings.imap_quarantine_folder, prefix, delimiter)
        for name in (processed, quarantine):
            self._ensure_folder(client, name, delimiter)
        selected = client.select_folder(folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        log.info(
            "Läser %s (%s)", self.key, "IDLE" if can_idle else f"var {self.poll_interval:.0f}:e s"
        )
        targets = {True: quarantine, False: processed}
        worked_at = self.monotonic()  # a fresh session settles too: mail may just have come
        while not self.stopping:
            handled = self._sync(client, uidvalidity, targets, can_move)
            self.backoff.reset()
            self._set_health(HealthState.OK, success=True)
            if handled:
                # Mail that arrived while we worked may have been announced in the reply to a
                # MOVE, and IDLE would not announce it again: search until nothing is new.
                worked_at = self.monotonic()
                continue
            if can_idle:
                # For a while after work, only short IDLEs: a server may neither show (in
                # SEARCH) nor announce (in IDLE) mail delivered the moment before; Dovecot's
                # Maildir storage does so for up to about a second.
                settling = self.monotonic() - worked_at < self.settle
                self._idle(client, self.settle / 4 if settling else self.poll_interval)
            else:
                self._poll(client)

    def _namespace(self, client: IMAPClient, has_namespace: bool) -> tuple[str, str]:
        if has_namespace:
            personal = client.namespace().personal
            if personal:
                prefix, delimiter = personal[0]
                return _text(prefix), _text(delimiter or "")
        listed = client.list_folders(directory="", pattern="")
        return "", _text(listed[0][1]) if listed and listed[0][1] else "/"

    def _ensure_folder(self, client: IMAPClient, name: str, delimiter: str) -> None:
        parts = name.split(delimiter) if delimiter else [name]
        for depth in range(1, len(parts) + 1):
            path = delimiter.join(parts[:depth])
            if client.folder_exists(path):
                continue
            try:
                client.create_folder(path)
                log.info("Skapade mappen %s", path)
            except IMAPClientError:
                if not client.folder_exists(path):  # not created by someone else meanwhile
                    raise
            client.subscribe_folder(path)

    def _sync(
        self, client: IMAPClient, uidvalidity: int, targets: dict[bool, str], can_move: bool
    ) -> int:
        """Handle every message after the stored position; returns how many."""
        position = load_position(self.engine, self.key)
        last_uid = 0
        if position is not None and position.uidvalidity == uidvalidity:
            last_uid = position.last_uid
        elif position is not None:
            log.warning(
                "UIDVALIDITY för %s ändrades (%d -> %d): läser om mappen, dubbletter känns igen",
                self.key,
                position.uidvalidity,
                uidvalidity,
            )
            save_position(self.engine, self.key, uidvalidity, 0, self.clock())
        found = client.search(["UID", f"{last_uid + 1}:*"])
        uids = sorted(int(uid) for uid in found if int(uid) > last_uid)
        filing = _Filing(client, targets, can_move)
        done = 0
        try:
            for batch in _batches(uids, self.batch_size):
                sizes = client.fetch(batch, ["RFC822.SIZE"])
                size_of = {int(u): int(d.get(b"RFC822.SIZE", 0)) for u, d in sizes.items()}
                for group in split_by_size(batch, size_of, self.max_batch_bytes):
                    data = client.fetch(group, ["BODY.PEEK[]"])
                    for chunk in _batches(group, self.file_every):
                        if self.stopping:
                            return done
                        if not self.lease.hold():
                            raise _LeaseLost
                        for uid, quarantined in self._process(chunk, data, uidvalidity):
                            filing.add(uid, quarantined)
                        done += len(chunk)
                        self._file(filing, uidvalidity)
                self._file(filing, uidvalidity)
                log.info("Inkorg: %d/%d behandlade", done, len(uids))
        finally:
            # Whatever was processed is committed: file it even when we stop or fail here.
            self._file(filing, uidvalidity)
        return done

    def _process(
        self, uids: list[int], data: dict[int, dict[bytes, Any]], uidvalidity: int
    ) -> list[tuple[int, bool | None]]:
        """Hand messages to the pipeline in one transaction; per UID, True when quarantined and
        None when the message vanished before it was fetched."""
        items: list[tuple[bytes, str]] = []
        present: list[int] = []
        handled: list[tuple[int, bool | None]] = []
        for uid in uids:
            raw = data.get(uid, {}).get(b"BODY[]")
            if raw is None:
                log.warning("Meddelande UID %d i %s försvann innan det hämtades", uid, self.key)
                handled.append((uid, None))
                continue
            source = (
                f"imap://{self.settings.imap_host}/{self.settings.imap_folder}"
                f";UIDVALIDITY={uidvalidity}/;UID={uid}"
            )
            items.append((bytes(raw), source))
            present.append(uid)
        try:
            results = self.intake.process_batch(items) if items else []
        except Exception as exc:  # retried after a pause; the messages stay in place
            log.exception(
                "Behandlingen av UID %d–%d i %s misslyckades", uids[0], uids[-1], self.key
            )
            raise ProcessingFailed(str(exc)) from exc
        handled += [
            (uid, r.outcome == Outcome.QUARANTINED) for uid, r in zip(present, results, strict=True)
        ]
        return sorted(handled)

    def _file(self, filing: _Filing, uidvalidity: int) -> None:
        """Move the processed messages, then advance the stored position past them."""
        last_uid = filing.flush()
        if last_uid is not None:
            save_position(self.engine, self.key, uidvalidity, last_uid, self.clock())

    # -- waiting for new mail ---------------------------------------------------------------

    def _idle(self, client: IMAPClient, catch_up: float) -> None:
        """IDLE until new mail, a stop, or the refresh interval; renews the lease meanwhile.

        IDLE is also left after ``catch_up`` seconds for a catch-up search, so a notification
        lost in a race between our last command and IDLE delays a message by that much at most.
        """
        client.idle()
        started = self.monotonic()
        limit = min(self.idle_refresh, catch_up)
        woken = False
        while not self.stopping and self.monotonic() - started < limit:
            asked = self.monotonic()
            responses = client.idle_check(timeout=self.wake_interval)
            if any(isinstance(r, tuple) and len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                woken = True
                break
            if not responses and self.monotonic() - asked < self.wake_interval / 2:
                # idle_check swallows EOF and returns nothing at once: leave IDLE, and
                # idle_done() raises if the server has gone.
                woken = True
                break
            if not self.lease.hold():
                break
        client.idle_done()
        if not woken and not self.lease.held:
            raise _LeaseLost

    def _poll(self, client: IMAPClient) -> None:
        """The fallback for servers without IDLE: wait, then NOOP so the server reports news."""
        deadline = self.monotonic() + self.poll_interval
        while not self.stopping and self.monotonic() < deadline:
            if self._wait(min(self.wake_interval, max(0.0, deadline - self.monotonic()))):
                return
            if not self.lease.hold():
                raise _LeaseLost
        client.noop()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
