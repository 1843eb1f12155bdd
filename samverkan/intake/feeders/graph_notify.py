"""Change notifications for the Graph watcher: a subscription on the watched folder that makes
Graph call ``GRAPH_NOTIFICATION_URL`` when mail arrives, so the watcher looks at once instead
of at its next poll.

Notifications only wake the watcher; the delta query is still what finds and reads the mail,
so a lost, late or forged notification costs at most a poll interval or one needless look.
Each notification must carry this process's random ``clientState``, compared in constant time.
A subscription that cannot be made or renewed (the URL is not reachable from Microsoft's
cloud, a missing permission) is one warning in the log; mail keeps coming by polling.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from samverkan.intake.m365.graph import GraphClient, GraphError, GraphGone
from samverkan.intake.m365.token import TokenUnavailable

log = logging.getLogger(__name__)

LIFETIME = timedelta(days=2)  # Graph allows mail subscriptions up to 7 days
RENEW_BEFORE = timedelta(hours=12)
FIRST_RETRY = timedelta(seconds=5)  # the service's HTTP endpoint may just be starting
LAST_RETRY = timedelta(minutes=5)


class Subscription:
    """One subscription to new messages in one folder, created and renewed on demand."""

    def __init__(
        self,
        client: GraphClient,
        notification_url: str,
        clock: Callable[[], datetime],
        *,
        lifetime: timedelta = LIFETIME,
    ) -> None:
        self.client = client
        self.notification_url = notification_url
        self.clock = clock
        self.lifetime = lifetime
        self.client_state = secrets.token_urlsafe(32)
        self.id: str | None = None
        self.expires_at: datetime | None = None
        self._next_try: datetime | None = None
        self._retry = FIRST_RETRY
        self._problem: str | None = None

    def keep(self, folder_id: str) -> None:
        """Create the subscription, or renew it when it runs out soon; never raises."""
        now = self.clock()
        if self._next_try is not None and now < self._next_try:
            return
        if self.id and self.expires_at and self.expires_at - now > RENEW_BEFORE:
            return
        expires = (now + self.lifetime).isoformat().replace("+00:00", "Z")
        try:
            if self.id:
                try:
                    self.client.request(
                        "PATCH", f"/subscriptions/{self.id}", json={"expirationDateTime": expires}
                    )
                except GraphGone:  # expired or deleted meanwhile: make a new one
                    self.id = None
            if not self.id:
                self.id = str(
                    self.client.post_json("/subscriptions", self._body(folder_id, expires))["id"]
                )
                log.info("Ändringsaviseringar från Graph beställda till %s", self.notification_url)
        except (GraphError, TokenUnavailable, httpx.TransportError) as exc:
            problem = f"Ändringsaviseringar från Graph kunde inte beställas: {exc}"
            if problem != self._problem:
                log.warning("%s (ny post hittas ändå, med deltafrågan)", problem)
            self._problem, self._next_try = problem, now + self._retry
            self._retry = min(self._retry * 2, LAST_RETRY)
            return
        self.expires_at, self._problem, self._next_try = now + self.lifetime, None, None
        self._retry = FIRST_RETRY

    def _body(self, folder_id: str, expires: str) -> dict[str, Any]:
        return {
            "changeType": "created",
            "notificationUrl": self.notification_url,
            "resource": f"{self.client.user.lstrip('/')}/mailFolders('{folder_id}')/messages",
            "expirationDateTime": expires,
            "clientState": self.client_state,
        }

    def accepts(self, payload: object) -> bool:
        """True when ``payload`` (a notification POST's JSON) holds one notification of ours."""
        items = payload.get("value") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            return False
        return any(
            isinstance(item, dict)
            and isinstance(item.get("clientState"), str)
            and hmac.compare_digest(item["clientState"], self.client_state)
            for item in items
        )
