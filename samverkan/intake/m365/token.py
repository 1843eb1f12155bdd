"""App-only tokens for Microsoft 365 (OAuth 2.0 client credentials through MSAL).

One :class:`M365Auth` per process holds the MSAL application and a token per scope: IMAP and
SMTP ask for the Exchange Online scope, Graph intake and sending for the Graph scope. A token
is reused until ``margin`` before it expires (or until Entra's ``refresh_in`` hint), measured
by an injectable clock, and then fetched anew while the old one still works. A token that
cannot be had raises :class:`TokenUnavailable` whose text is one Swedish line naming the tenant,
the app and Entra's error code - never the secret, the certificate or a token.
"""

from __future__ import annotations

import functools
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import msal
import requests

from samverkan.clock import utc_now
from samverkan.config import Settings

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EXCHANGE_SCOPE = "https://outlook.office365.com/.default"  # IMAP and SMTP XOAUTH2
MARGIN = timedelta(minutes=5)  # MSAL too treats a token with less left as expired


class TokenUnavailable(Exception):
    """No token could be had; ``str()`` is one line for the log and ``/healthz``."""


class ClientApp(Protocol):
    """The part of ``msal.ConfidentialClientApplication`` used here (a seam for tests)."""

    token_cache: Any

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TokenStatus:
    """For ``/healthz``: whether the last attempt worked, and when the token runs out."""

    ok: bool
    error: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class _Held:
    token: str
    expires_at: datetime
    refresh_at: datetime


def _credential(settings: Settings) -> str | dict[str, str]:
    """A client secret, or the certificate's private key and certificate (PEM, one file)."""
    if settings.m365_certificate_file is not None:
        pem = settings.m365_certificate_file.read_text(encoding="ascii")
        start = pem.find("-----BEGIN CERTIFICATE-----")
        if start < 0 or "PRIVATE KEY-----" not in pem:
            raise TokenUnavailable(
                f"M365_CERTIFICATE_FILE ({settings.m365_certificate_file}) ska innehålla både "
                "den privata nyckeln och certifikatet i PEM-format"
            )
        certificate = pem[start:]
        credential = {"private_key": pem, "public_certificate": certificate}
        if settings.m365_certificate_password is not None:
            credential["passphrase"] = settings.m365_certificate_password.get_secret_value()
        return credential
    if settings.m365_client_secret is None:
        raise TokenUnavailable("Varken M365_CLIENT_SECRET eller M365_CERTIFICATE_FILE är satt")
    return settings.m365_client_secret.get_secret_value()


def build_app(settings: Settings, verify: bool | str = True) -> ClientApp:
    """The MSAL confidential client for the configured tenant; contacts the authority once.

    ``verify`` is a CA bundle to trust for the authority's TLS instead of the system's (or
    ``REQUESTS_CA_BUNDLE``'s); it is given per request, since requests lets the environment
    override a session-wide setting.
    """
    session = requests.Session()
    if verify is not True:
        session.request = functools.partial(session.request, verify=verify)  # type: ignore[method-assign]
    session.request = functools.partial(session.request, timeout=30)  # type: ignore[method-assign]
    authority = f"{settings.m365_authority_url.rstrip('/')}/{settings.m365_tenant_id}"
    known = settings.m365_authority_url.rstrip("/") == "https://login.microsoftonline.com"
    app: ClientApp = msal.ConfidentialClientApplication(
        settings.m365_client_id,
        client_credential=_credential(settings),
        authority=authority,
        token_cache=msal.TokenCache(),
        http_client=session,
        # A stand-in or a sovereign cloud is not in Microsoft's instance list: trust the URL.
        validate_authority=known,
        instance_discovery=known,
    )
    return app


class M365Auth:
    """Tokens per scope, cached and refreshed before they expire. Thread-safe."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        margin: timedelta = MARGIN,
        app_factory: Callable[[Settings], ClientApp] = build_app,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.margin = margin
        self.app_factory = app_factory
        self.fetches = 0  # token requests sent to Entra: the log and the tests read it
        self._app: ClientApp | None = None
        self._held: dict[str, _Held] = {}
        self._status: dict[str, TokenStatus] = {}
        self._lock = threading.Lock()

    @property
    def who(self) -> str:
        s = self.settings
        return f"klient-id {s.m365_client_id} i klientorganisationen {s.m365_tenant_id}"

    def token(self, scope: str) -> str:
        """A valid access token for ``scope``; fetched only when none is held or it is due."""
        with self._lock:
            now = self.clock()
            held = self._held.get(scope)
            if held is not None and now < held.refresh_at:
                return held.token
            try:
                fresh = self._fetch(scope, now)
            except TokenUnavailable as exc:
                self._record(scope, TokenStatus(False, str(exc)))
                if held is not None and now < held.expires_at:
                    return held.token  # still valid: use it while Entra is away
                raise
            self._held[scope] = fresh
            self._record(scope, TokenStatus(True, None, fresh.expires_at))
            return fresh.token

    def invalidate(self, scope: str) -> None:
        """Forget the token for ``scope`` (a server refused it): the next call fetches anew."""
        with self._lock:
            self._held.pop(scope, None)

    def status(self) -> TokenStatus | None:
        """The worst of the scopes' states (None before any token was asked for)."""
        with self._lock:
            states = list(self._status.values())
        failing = [s for s in states if not s.ok]
        if failing:
            return failing[0]
        return states[0] if states else None

    def _record(self, scope: str, status: TokenStatus) -> None:
        previous = self._status.get(scope)
        self._status[scope] = status
        if not status.ok and (previous is None or previous.error != status.error):
            log.error("%s", status.error)  # once per new problem, not once per retry
        elif status.ok and previous is not None and not previous.ok:
            log.info("Token från Microsoft Entra hämtad igen (%s)", scope)

    def _fetch(self, scope: str, now: datetime) -> _Held:
        try:
            if self._app is None:
                self._app = self.app_factory(self.settings)
            app = self._app
            _forget(app, scope)  # our clock decided: make MSAL ask Entra, not its own cache
            result = app.acquire_token_for_client([scope])
        except (ValueError, OSError, requests.RequestException) as exc:
            self._app = None  # discovery is tried again next time
            raise TokenUnavailable(
                f"Ingen token från Microsoft Entra för {self.who}: {_one_line(str(exc))}"
            ) from exc
        self.fetches += 1
        token = result.get("access_token")
        if not isinstance(token, str):
            # MSAL remembers a refusal for a few seconds; a fresh app asks Entra again.
            self._app = None
            code = result.get("error", "okänt fel")
            described = _one_line(str(result.get("error_description", "")))
            raise TokenUnavailable(
                f"Microsoft Entra gav ingen token för {self.who}: {code} {described}".rstrip()
            )
        lifetime = timedelta(seconds=int(result.get("expires_in", 3600)))
        expires_at = now + lifetime
        refresh_at = expires_at - min(self.margin, lifetime / 2)
        if "refresh_in" in result:  # Entra's hint for long-lived tokens: refresh earlier
            refresh_at = min(refresh_at, now + timedelta(seconds=int(result["refresh_in"])))
        log.info("Token från Microsoft Entra hämtad (%s, giltig till %s)", scope, expires_at)
        return _Held(token, expires_at, refresh_at)


def _forget(app: ClientApp, scope: str) -> None:
    cache = app.token_cache
    if isinstance(cache, msal.TokenCache):
        kind = msal.TokenCache.CredentialType.ACCESS_TOKEN
        for entry in list(cache.search(kind, target=[scope])):
            cache.remove_at(entry)


def _one_line(text: str) -> str:
    """Entra's descriptions run over lines with trace and correlation ids: keep the first."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:300]


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64), as IMAP and SMTP servers expect."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def smtp_xoauth2(client: smtplib.SMTP, user: str, auth: M365Auth) -> None:
    """Log ``client`` in with an app-only token (SMTP AUTH XOAUTH2, Exchange Online scope).

    A refusal comes as a 334 challenge carrying the error; it is answered empty, as the
    mechanism wants, and smtplib then raises ``SMTPAuthenticationError``. A token that cannot
    be had raises ``smtplib.SMTPAuthenticationError`` too, with its one-line reason.
    """
    try:
        initial = xoauth2(user, auth.token(EXCHANGE_SCOPE))
    except TokenUnavailable as exc:
        raise smtplib.SMTPAuthenticationError(535, str(exc)) from exc
    client.ehlo_or_helo_if_needed()
    client.auth("XOAUTH2", lambda challenge=None: "" if challenge else initial)


_shared: dict[tuple[str | None, str | None, str], M365Auth] = {}
_shared_lock = threading.Lock()


def shared_auth(settings: Settings) -> M365Auth | None:
    """The process's one :class:`M365Auth` for these settings, so IMAP, SMTP and Graph share
    a token cache; None when Microsoft 365 credentials are not configured."""
    if not settings.m365_configured():
        return None
    key = (settings.m365_tenant_id, settings.m365_client_id, settings.m365_authority_url)
    with _shared_lock:
        auth = _shared.get(key)
        if auth is None or auth.settings is not settings:
            auth = _shared[key] = M365Auth(settings)
        return auth
