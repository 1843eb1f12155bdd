"""A small Microsoft Graph client for one mailbox: token, throttling and paging in one place.

Every request carries an app-only token from :class:`~samverkan.intake.m365.token.M365Auth`.
Throttling (429) and a busy service (503, 504) are waited out as Graph asks - ``Retry-After``
seconds, else a growing pause - through an injectable ``sleep``, up to ``max_retries`` times.
A 401 fetches a new token once (it may have been revoked). Links Graph returns (``nextLink``,
``deltaLink``) are followed only when they point at the configured Graph URL, so a forged
link cannot send the token elsewhere.

Errors::

    GraphError                 Graph answered with an error; .status, .code
    ├── GraphThrottled         still throttled after the last retry
    └── GraphGone              404 or 410: the message moved, or a delta link expired
    TokenUnavailable           (token.py) no token to send
    httpx.TransportError       Graph could not be reached
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from samverkan.intake.m365.token import GRAPH_SCOPE, M365Auth

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 503, 504})
MAX_RETRY_AFTER = 300.0  # seconds; a longer demand is capped and asked again


class GraphError(Exception):
    """Graph refused a request; ``str()`` is one line with the status and Graph's error code."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"Graph svarade {status} {code}: {message}".rstrip(": "))
        self.status = status
        self.code = code
        self.retry_after = retry_after  # seconds, when Graph said how long to wait


class GraphThrottled(GraphError):
    """Graph kept answering 429 (or 503) through every retry."""


class GraphGone(GraphError):
    """The resource is gone (404) or the delta link has expired (410)."""


def retry_after(response: httpx.Response, attempt: int) -> float:
    """How long Graph asks us to wait: ``Retry-After`` seconds, else 2, 4, 8 … (capped)."""
    header = response.headers.get("Retry-After", "")
    try:
        seconds = float(header)
    except ValueError:
        seconds = 2.0 ** (attempt + 1)
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


class GraphClient:
    """Requests against ``/users/{mailbox}`` (a user's or a shared mailbox)."""

    def __init__(
        self,
        base_url: str,
        mailbox: str,
        auth: M365Auth,
        *,
        sleep: Callable[[float], object] = time.sleep,
        max_retries: int = 6,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.mailbox = mailbox
        self.auth = auth
        self.sleep = sleep
        self.max_retries = max_retries
        self.http = httpx.Client(timeout=timeout, transport=transport)
        self.waited: list[float] = []  # Retry-After pauses taken, for the log and the tests

    @property
    def user(self) -> str:
        """The mailbox's path, ``/users/{address}``."""
        return f"/users/{quote(self.mailbox, safe='@')}"

    def url(self, path_or_link: str) -> str:
        """An absolute URL for a path below the Graph URL, or a link Graph gave us."""
        if path_or_link.startswith(("http://", "https://")):
            if not path_or_link.startswith(self.base_url + "/"):
                raise GraphError(0, "ForeignLink", f"länken pekar utanför {self.base_url}")
            return path_or_link
        return self.base_url + path_or_link

    def request(
        self,
        method: str,
        path_or_link: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request, retried while throttled; raises :class:`GraphError` on a refusal."""
        url = self.url(path_or_link)
        renewed = False
        attempt = 0
        while True:
            token = self.auth.token(GRAPH_SCOPE)
            sent = {**(headers or {}), "Authorization": f"Bearer {token}"}
            response = self.http.request(
                method, url, json=json, content=content, headers=sent, params=params
            )
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                pause = retry_after(response, attempt)
                log.warning(
                    "Graph begränsar (%d): väntar %.0f s enligt Retry-After",
                    response.status_code,
                    pause,
                )
                self.waited.append(pause)
                self.sleep(pause)
                attempt += 1
                continue
            if response.status_code == 401 and not renewed:
                self.auth.invalidate(GRAPH_SCOPE)
                renewed = True
                continue
            if response.status_code >= 400:
                raise _error(response)
            return response

    def get_json(self, path_or_link: str, **kw: Any) -> dict[str, Any]:
        data = self.request("GET", path_or_link, **kw).json()
        if not isinstance(data, dict):
            raise GraphError(200, "UnexpectedBody", "svaret är inte ett JSON-objekt")
        return data

    def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.request("POST", path, json=body)
        return response.json() if response.content else {}

    def close(self) -> None:
        self.http.close()


def _error(response: httpx.Response) -> GraphError:
    code, message = "", ""
    try:
        body = response.json()
        error = body.get("error", {}) if isinstance(body, dict) else {}
        code = str(error.get("code", ""))
        message = str(error.get("message", ""))[:300]
    except ValueError:
        message = response.text[:200]
    kind = GraphError
    if response.status_code in (404, 410):
        kind = GraphGone
    elif response.status_code in RETRY_STATUSES:
        kind = GraphThrottled
    wait = retry_after(response, 0) if "Retry-After" in response.headers else None
    return kind(response.status_code, code or response.reason_phrase, message, wait)
