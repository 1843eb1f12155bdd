"""A stand-in for the part of Microsoft Graph Samverkan uses, on loopback HTTP.

One mailbox (any ``/users/{address}``) with folders, each message kept as its raw MIME.
What it does as Graph does: bearer tokens must have been issued by the Entra stand-in for the
Graph scope; a move gives the message a new id; the delta query of a folder returns what was
added since a state token, in pages (``Prefer: odata.maxpagesize``) linked by ``nextLink`` and
ending in a ``deltaLink``; ``$value`` is the MIME; ``sendMail`` takes base64 MIME as text/plain
and files the message in Sent Items; ``throttle(n, seconds)`` answers the next n requests 429.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from tests.m365.entra import Entra

Reply = tuple[int, dict[str, str], bytes]  # status, headers, body
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REMOVED = {"reason": "deleted"}
WELL_KNOWN = ("inbox", "sentitems")


@dataclass
class Folder:
    id: str
    name: str
    parent: str | None
    messages: dict[str, bytes] = field(default_factory=dict)  # id -> MIME, in arrival order
    log: list[tuple[int, str]] = field(default_factory=list)  # (seq, id) of each arrival


@dataclass
class Graph:
    entra: Entra
    folders: dict[str, Folder] = field(default_factory=dict)
    seq: int = 0
    throttled: int = 0
    retry_after: str | None = "7"
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    user: str = ""
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    notified: list[str] = field(default_factory=list)  # subscription ids told of new mail
    links_valid_from: int = 0  # delta and next links older than this answer 410
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        for name in WELL_KNOWN:
            self.folders[name] = Folder(f"AAMk-{name}", name.capitalize(), None)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1.0"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what the tests do and ask -----------------------------------------------------------

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        with self.lock:
            target = self.folder(folder)
            message_id = f"AAMkAD{secrets.token_hex(8)}"
            self.seq += 1
            target.messages[message_id] = raw
            target.log.append((self.seq, message_id))
            for sub_id, sub in self.subscriptions.items():
                if f"mailFolders('{target.id}')" in sub["resource"]:
                    threading.Thread(target=self._notify, args=(sub_id, sub, message_id)).start()
            return message_id

    def _notify(self, sub_id: str, sub: dict[str, Any], message_id: str) -> None:
        """Tell the subscriber, as Graph does: a JSON POST with the client state, later."""
        note = {"subscriptionId": sub_id, "clientState": sub["clientState"],
                "changeType": "created", "resource": f"{sub['resource']}/{message_id}"}  # fmt: skip
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(sub["notificationUrl"], json={"value": [note]}, timeout=5)
            with self.lock:
                self.notified.append(sub_id)

    def folder(self, key: str) -> Folder:
        with self.lock:
            for folder in self.folders.values():
                if key in (folder.id, folder.name) or key.lower() == folder.id.lower():
                    return folder
            if key.lower() in WELL_KNOWN:
                return self.folders[key.lower()]
            raise KeyError(key)

    def folder_at(self, path: str) -> Folder | None:
        """A folder by its display-name path, e.g. ``Samverkan/Behandlat``."""
        parent: str | None = None
        found: Folder | None = None
        for part in path.split("/"):
            found = next(
                (f for f in self.folders.values() if f.parent == parent and f.name == part), None
            )
            if found is None:
                return None
            parent = found.id
        return found

    def message_ids_in(self, path: str) -> list[str]:
        """The Message-ID headers of the messages in a folder (by path or well-known name)."""
        with self.lock:
            folder = self.folder_at(path) if "/" in path else self.folder(path)
            if folder is None:
                return []
            return [str(message_from_bytes(raw)["Message-ID"]) for raw in folder.messages.values()]

    def expire_links(self) -> None:
        """Every delta and next link given out so far stops working, as after a long pause."""
        with self.lock:
            self.links_valid_from = self.seq + 1

    def throttle(self, count: int, retry_after: str | None = "7") -> None:
        with self.lock:
            self.throttled, self.retry_after = count, retry_after

    # -- the API -----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, str], body: bytes, headers: dict[str, str]
    ) -> Reply:
        with self.lock:
            self.calls.append((method, path))
            if self.throttled > 0:
                self.throttled -= 1
                extra = {"Retry-After": self.retry_after} if self.retry_after else {}
                return _json(429, {"error": {"code": "TooManyRequests", "message": "slow"}}, extra)
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if not self.entra.valid(token, GRAPH_SCOPE):
            return _json(401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}})
        if m := re.fullmatch(r"/v1\.0/subscriptions(?:/([^/]+))?", path):
            return self._subscribe(method, m.group(1), json.loads(body or b"{}"))
        match = re.fullmatch(r"/v1\.0/users/([^/]+)(/.*)", path)
        if match is None:
            return _json(404, {"error": {"code": "ResourceNotFound", "message": path}})
        with self.lock:
            self.user = match.group(1)
            return self._route(method, match.group(2), query, body, headers)

    def _route(
        self, method: str, rest: str, query: dict[str, str], body: bytes, headers: dict[str, str]
    ) -> Reply:
        if m := re.fullmatch(r"/mailFolders/([^/]+)/messages/delta", rest):
            page = int(headers.get("prefer", "odata.maxpagesize=10").rpartition("=")[2])
            return self._delta(m.group(1), query, page)
        if m := re.fullmatch(r"/messages/([^/]+)/\$value", rest):
            raw = self._find(m.group(1))
            if raw is None:
                return _json(404, {"error": {"code": "ErrorItemNotFound", "message": "gone"}})
            return 200, {"Content-Type": "text/plain"}, raw[1]
        if m := re.fullmatch(r"/messages/([^/]+)/move", rest):
            return self._move(m.group(1), json.loads(body)["destinationId"])
        if rest == "/sendMail" and method == "POST":
            if not headers.get("content-type", "").startswith("text/plain"):
                return _json(415, {"error": {"code": "UnsupportedMediaType", "message": "mime"}})
            raw = base64.b64decode(body, validate=True)
            if not message_from_bytes(raw)["To"]:
                return _json(400, {"error": {"code": "ErrorInvalidRecipients", "message": "To"}})
            self.deliver(raw, "sentitems")
            return 202, {}, b""
        if m := re.fullmatch(r"/mailFolders(?:/([^/]+)/childFolders)?", rest):
            return self._folders(method, m.group(1), query, body)
        if m := re.fullmatch(r"/mailFolders/([^/]+)", rest):
            folder = self.folder(m.group(1))
            return _json(200, {"id": folder.id, "displayName": folder.name})
        return _json(404, {"error": {"code": "ResourceNotFound", "message": rest}})

    def _subscribe(self, method: str, sub_id: str | None, body: dict[str, Any]) -> Reply:
        if method == "PATCH" and sub_id is not None:
            with self.lock:
                if sub_id not in self.subscriptions:
                    return _json(404, {"error": {"code": "ResourceNotFound", "message": sub_id}})
                self.subscriptions[sub_id]["expirationDateTime"] = body["expirationDateTime"]
                return _json(200, {"id": sub_id, **self.subscriptions[sub_id]})
        token = secrets.token_urlsafe(16)  # Graph checks the URL answers before it subscribes
        url = f"{body['notificationUrl']}?validationToken={token}"
        try:
            echoed = httpx.post(url, content=b"", timeout=10).text
        except httpx.HTTPError as exc:
            return _json(400, {"error": {"code": "ValidationError", "message": str(exc)}})
        if echoed != token:
            return _json(400, {"error": {"code": "ValidationError", "message": "no echo"}})
        sub_id = secrets.token_hex(8)
        with self.lock:
            self.subscriptions[sub_id] = body
        return _json(201, {"id": sub_id, **body})

    def _find(self, message_id: str) -> tuple[Folder, bytes] | None:
        for folder in self.folders.values():
            if message_id in folder.messages:
                return folder, folder.messages[message_id]
        return None

    def _move(self, message_id: str, destination: str) -> Reply:
        found = self._find(message_id)
        if found is None:
            return _json(404, {"error": {"code": "ErrorItemNotFound", "message": "gone"}})
        folder, raw = found
        del folder.messages[message_id]
        new_id = self.deliver(raw, self.folder(destination).id)
        return _json(201, {"id": new_id, "parentFolderId": self.folder(destination).id})

    def _folders(
        self, method: str, parent_key: str | None, query: dict[str, str], body: bytes
    ) -> Reply:
        parent = self.folder(parent_key).id if parent_key else None
        if method == "POST":
            name = json.loads(body)["displayName"]
            if any(f.parent == parent and f.name == name for f in self.folders.values()):
                return _json(409, {"error": {"code": "ErrorFolderExists", "message": name}})
            folder = Folder(f"AAMk-{secrets.token_hex(6)}", name, parent)
            self.folders[folder.id] = folder
            return _json(201, {"id": folder.id, "displayName": name})
        wanted = re.fullmatch(r"displayName eq '(.*)'", query.get("$filter", ""))
        children = [
            {"id": f.id, "displayName": f.name}
            for f in self.folders.values()
            if f.parent == parent
            and (wanted is None or f.name == wanted.group(1).replace("''", "'"))
        ]
        return _json(200, {"value": children})

    def _delta(self, key: str, query: dict[str, str], page: int) -> Reply:
        folder = self.folder(key)
        base = f"{self.url}/users/{self.user}/mailFolders/{key}/messages/delta"
        if "$skiptoken" in query:
            since, upto, offset = (int(x) for x in query["$skiptoken"].split("."))
        else:
            since, upto, offset = int(query.get("$deltatoken", "0")), self.seq, 0
        if ("$skiptoken" in query or "$deltatoken" in query) and upto < self.links_valid_from:
            return _json(410, {"error": {"code": "SyncStateNotFound", "message": "expired"}})
        arrived = [mid for seq, mid in folder.log if since < seq <= upto]
        chunk = arrived[offset : offset + page]
        value: list[dict[str, Any]] = [
            {"id": mid}
            if mid in folder.messages
            else {"id": mid, "@removed": {"reason": "deleted"}}
            for mid in chunk
        ]
        body: dict[str, Any] = {"value": value}
        if offset + page < len(arrived):
            body["@odata.nextLink"] = f"{base}?$skiptoken={since}.{upto}.{offset + page}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={upto}"
        return _json(200, body)


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(body).encode(),
    )


def _handler(graph: Graph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, out_headers, data = graph.handle(
                method, unquote(parts.path), query, body, headers
            )
            self.send_response(status)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

    return Handler
