"""The contact mailbox over Microsoft Graph, for tenants where IMAP is switched off.

New mail is found with the delta query of the watched folder; the link Graph returns (the
``nextLink`` within a round, the ``deltaLink`` after it) is the cursor, stored in the database
after every page. Each message's raw MIME (``/messages/{id}/$value``) goes through the same
``process_batch`` as IMAP and the Maildir, one page per transaction, and only after that
returned - the cases committed - is each message moved to the processed or quarantine folder;
then the cursor advances. A crash anywhere in between repeats at most that page: its messages
are fetched again (found DUPLICATE) or, when already moved, are gone and skipped. Nothing is
deleted. Change notifications (``wake()``) only shorten the wait; the delta query is what
finds the mail.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.clock import utc_now
from samverkan.config import Settings
from samverkan.intake.feeders.graph_notify import Subscription
from samverkan.intake.feeders.watching import (
    BackgroundWatcher,
    Backoff,
    HealthState,
    LeaseKeeper,
    MessageProcessor,
    default_holder,
)
from samverkan.intake.m365.graph import GraphClient, GraphError, GraphGone
from samverkan.intake.m365.token import M365Auth, TokenUnavailable, shared_auth
from samverkan.intake.outcome import Outcome
from samverkan.storage.mailbox_state import load_cursor, save_cursor

log = logging.getLogger(__name__)

DENIED = frozenset({401, 403})


class GraphConfigError(Exception):
    """The Graph settings cannot work as given (no mailbox, no credentials)."""


class ProcessingFailed(Exception):
    """``process_batch()`` raised (the database is away, or a bug): the page stays unfiled."""


class _LeaseLost(Exception):
    pass


def graph_client(settings: Settings, auth: M365Auth | None = None, **kw: Any) -> GraphClient:
    """A Graph client for ``GRAPH_MAILBOX`` with Samverkan's app-only tokens."""
    if not settings.graph_mailbox:
        raise GraphConfigError("GRAPH_MAILBOX saknas (brevlådan som ska läsas via Graph)")
    auth = auth or shared_auth(settings)
    if auth is None:
        raise GraphConfigError(
            "Graph kräver M365_TENANT_ID, M365_CLIENT_ID och M365_CLIENT_SECRET "
            "eller M365_CERTIFICATE_FILE"
        )
    return GraphClient(settings.graph_url, settings.graph_mailbox, auth, **kw)


class FolderResolver:
    """Folder paths as configured (``Samverkan/Behandlat``) to Graph folder ids, creating the
    processed and quarantine folders when they are missing."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def find(self, path: str, *, create: bool) -> str:
        if path.upper() == "INBOX":
            return str(self.client.get_json(f"{self.client.user}/mailFolders/inbox")["id"])
        parent: str | None = None
        for name in path.split("/"):
            parent = self._child(parent, name, create=create)
        if parent is None:
            raise GraphConfigError(f"Mappen {path} saknas i brevlådan")
        return parent

    def _child(self, parent: str | None, name: str, *, create: bool) -> str:
        base = f"{self.client.user}/mailFolders" + (f"/{parent}/childFolders" if parent else "")
        wanted = {"$filter": f"displayName eq '{name.replace(chr(39), chr(39) * 2)}'"}
        for attempt in range(2):
            found = self.client.get_json(base, params=wanted).get("value", [])
            if found:
                return str(found[0]["id"])
            if not create:
                raise GraphConfigError(f"Mappen {name} saknas i brevlådan")
            if attempt == 0:
                try:
                    created = self.client.post_json(base, {"displayName": name})
                    log.info("Skapade mappen %s i %s", name, self.client.mailbox)
                    return str(created["id"])
                except GraphError as exc:
                    if exc.status != 409:  # 409: someone created it meanwhile; read it again
                        raise
        raise GraphConfigError(f"Mappen {name} kunde inte skapas")


class GraphWatcher(BackgroundWatcher):
    """Reads the contact mailbox through Graph in its own thread while holding the lease."""

    thread_name = "graph-watcher"

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        intake: MessageProcessor,
        *,
        client: GraphClient | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], object] | None = None,
        rand: Callable[[], float] = random.random,
        holder: str | None = None,
        poll_interval: float | None = None,
        page_size: int = 50,
        lease_ttl: timedelta = timedelta(seconds=60),
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
    ) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self.settings = settings
        self.engine = engine
        self.intake = intake
        self.client = client or graph_client(settings, sleep=self._pause)
        self.key = f"graph://{self.client.mailbox}/{settings.imap_folder}"
        self.lease = LeaseKeeper(engine, self.key, holder or default_holder(), lease_ttl, clock)
        self.backoff = Backoff(backoff_base, backoff_cap, rand)
        self.poll_interval = settings.graph_poll_seconds if poll_interval is None else poll_interval
        self.page_size = page_size
        self._wake = threading.Event()
        self._folders: dict[str, str] | None = None
        self.subscription = (
            Subscription(self.client, settings.graph_notification_url, clock)
            if settings.graph_notification_url
            else None
        )

    def wake(self) -> None:
        """New mail was announced (a change notification): look now instead of at the next poll."""
        self._wake.set()

    def notified(self, payload: object) -> bool:
        """A change notification's JSON arrived: wake up when it is one of ours."""
        if self.subscription is None or not self.subscription.accepts(payload):
            return False
        self.wake()
        return True

    def stop(self, timeout: float = 10.0) -> None:
        self._wake.set()
        super().stop(timeout)

    def _pause(self, seconds: float) -> None:
        """Graph's Retry-After, waited out; only stop() cuts it short, not a notification."""
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._stop.wait(seconds)

    def _wait(self, seconds: float) -> bool:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._wake.wait(seconds)
            self._wake.clear()
        return self.stopping

    # -- the outer loop: lease, errors, backoff ---------------------------------------------

    def _run(self) -> None:
        try:
            while not self.stopping:
                if not self.lease.hold():
                    self._set_health(HealthState.STANDBY)
                    self._wait(self.lease.standby_wait(self.poll_interval))
                    continue
                delay = self._round()
                if delay is not None and self._wait(delay):
                    break
        finally:
            self.lease.release()
            self.client.close()

    def _round(self) -> float | None:
        """One sync and its outcome in health; returns how long to wait (None: go on at once)."""
        where = f"brevlådan {self.client.mailbox} via Graph"
        try:
            handled = self.sync()
        except _LeaseLost:
            return None
        except TokenUnavailable as exc:
            return self._failed(HealthState.LOGIN_FAILED, str(exc))
        except GraphConfigError as exc:
            return self._failed(HealthState.LOGIN_FAILED, f"{where}: {exc}")
        except GraphError as exc:
            state = HealthState.LOGIN_FAILED if exc.status in DENIED else HealthState.UNREACHABLE
            return self._failed(state, f"Graph nekade {where}: {exc}")
        except httpx.TransportError as exc:
            return self._failed(HealthState.UNREACHABLE, f"Graph kan inte nås ({where}): {exc}")
        except (ProcessingFailed, SQLAlchemyError) as exc:
            return self._failed(HealthState.UNREACHABLE, f"Inkorgen kunde inte behandlas: {exc}")
        self.backoff.reset()
        self._set_health(HealthState.OK, success=True)
        if self.subscription is not None:
            self.subscription.keep(self.folders()["watched"])
        return None if handled else self.poll_interval

    def _failed(self, state: HealthState, error: str) -> float:
        if error != self.health.last_error or self.health.state is not state:
            log.error("%s", error)  # once per new problem, not once per retry
        self._set_health(state, error)
        return self.backoff.next_delay()

    # -- one round of the delta query -------------------------------------------------------

    def folders(self) -> dict[str, str]:
        """The watched, processed and quarantine folders' ids (looked up once)."""
        if self._folders is None:
            resolver = FolderResolver(self.client)
            self._folders = {
                "watched": resolver.find(self.settings.imap_folder, create=False),
                "processed": resolver.find(self.settings.imap_processed_folder, create=True),
                "quarantine": resolver.find(self.settings.imap_quarantine_folder, create=True),
            }
        return self._folders

    def initial_link(self) -> str:
        watched = quote(self.folders()["watched"], safe="")
        path = f"{self.client.user}/mailFolders/{watched}/messages/delta"
        return f"{path}?changeType=created&$select=id"

    def sync(self) -> int:
        """Follow the delta query from the stored cursor to a new delta link; returns how many
        messages were handled."""
        folders = self.folders()
        link = load_cursor(self.engine, self.key) or self.initial_link()
        prefer = {"Prefer": f"odata.maxpagesize={self.page_size}"}
        done = 0
        while not self.stopping:
            if not self.lease.hold():
                raise _LeaseLost
            try:
                page = self.client.get_json(link, headers=prefer)
            except GraphGone as exc:
                if exc.status != 410:
                    raise
                log.warning("Delta-länken för %s har gått ut: läser om mappen", self.key)
                save_cursor(self.engine, self.key, None, self.clock())
                link = self.initial_link()
                continue
            ids = [str(item["id"]) for item in page.get("value", []) if "@removed" not in item]
            done += self._handle(ids, folders)
            following = page.get("@odata.nextLink") or page.get("@odata.deltaLink")
            if not isinstance(following, str):
                raise GraphError(200, "NoLink", "svaret saknar nextLink och deltaLink")
            self.client.url(following)  # refuse a link that leads away from Graph
            save_cursor(self.engine, self.key, following, self.clock())
            if "@odata.deltaLink" in page:
                break
            link = following
        if done:
            log.info("Inkorg via Graph: %d behandlade", done)
        return done

    def _handle(self, ids: Sequence[str], folders: dict[str, str]) -> int:
        """Fetch, process in one transaction, then file: after the commit only."""
        items: list[tuple[bytes, str]] = []
        present: list[str] = []
        for message_id in ids:
            path = f"{self.client.user}/messages/{quote(message_id, safe='')}"
            try:
                raw = self.client.request("GET", f"{path}/$value").content
            except GraphGone:
                log.info(
                    "Meddelandet %s i %s finns inte längre (redan flyttat)", message_id, self.key
                )
                continue
            items.append((raw, f"graph://{self.client.mailbox}/{message_id}"))
            present.append(path)
        if not items:
            return 0
        try:
            results = self.intake.process_batch(items)
        except Exception as exc:  # retried after a pause; the messages stay in place
            log.exception("Behandlingen av %d meddelanden i %s misslyckades", len(items), self.key)
            raise ProcessingFailed(str(exc)) from exc
        for path, result in zip(present, results, strict=True):
            target = folders["quarantine" if result.outcome == Outcome.QUARANTINED else "processed"]
            try:
                self.client.post_json(f"{path}/move", {"destinationId": target})
            except GraphGone:
                log.info("%s var redan flyttat", path)
        return len(items)
