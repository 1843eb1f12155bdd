"""A stand-in for Microsoft Entra ID's token endpoint (HTTPS, as MSAL insists) and a token
introspection endpoint (plain HTTP on loopback) for Dovecot's oauth2 passdb.

It answers OpenID discovery and the client-credentials grant, checks the client secret or the
signed client assertion (certificate) as Entra would, and records every token it issues with
its scope, so the Graph stand-in and Dovecot accept only tokens really issued for them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import secrets
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

TENANT = "malmo-test-tenant"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "hemligt~klientlösen.42"


def self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    """A key and a certificate valid for 127.0.0.1 and localhost; returns (key, cert) files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@dataclass
class Issued:
    token: str
    scope: str
    client_id: str
    by: str  # "secret" or "certificate"


@dataclass
class Entra:
    """State shared by the HTTPS token server and the introspection server."""

    directory: Path
    expires_in: int = 3599
    refuse: str | None = None  # an OAuth error code to answer every token request with
    mailbox_user: str = "samverkan@malmo.example"
    issued: list[Issued] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.tls_key, self.cafile = self_signed(self.directory, "entra")
        # The app's own certificate, registered with the app (its public part only).
        app_key, app_cert = self_signed(self.directory, "app")
        self.app_pem = self.directory / "app-credential.pem"
        self.app_pem.write_bytes(app_key.read_bytes() + app_cert.read_bytes())
        self.app_public_key = x509.load_pem_x509_certificate(app_cert.read_bytes()).public_key()
        self._servers: list[ThreadingHTTPServer] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        token_server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, tls=True))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cafile, self.tls_key)
        token_server.socket = context.wrap_socket(token_server.socket, server_side=True)
        introspection = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, tls=False))
        self._servers = [token_server, introspection]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        self.authority_url = f"https://127.0.0.1:{token_server.server_address[1]}"
        self.introspection_url = f"http://127.0.0.1:{introspection.server_address[1]}/introspect"

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # -- what the tests ask ------------------------------------------------------------------

    def valid(self, token: str, scope: str) -> bool:
        with self.lock:
            return any(i.token == token and i.scope == scope for i in self.issued)

    def tokens_for(self, scope: str) -> list[str]:
        with self.lock:
            return [i.token for i in self.issued if i.scope == scope]

    # -- the endpoints -----------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        base = f"{self.authority_url}/{TENANT}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{base}/v2.0",
        }

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(form)
        if self.refuse:
            return 400, {"error": self.refuse, "error_description": f"AADSTS7000215: {self.refuse}"}
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != CLIENT_ID:
            return 400, {"error": "unauthorized_client", "error_description": "AADSTS700016"}
        by = self._authenticate(form)
        if by is None:
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: fel"}
        scope = form.get("scope", "")
        token = f"eyJ0.{secrets.token_urlsafe(24)}"
        with self.lock:
            self.issued.append(Issued(token, scope, CLIENT_ID, by))
        return 200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}

    def _authenticate(self, form: dict[str, str]) -> str | None:
        if form.get("client_secret") == CLIENT_SECRET:
            return "secret"
        assertion = form.get("client_assertion")
        if assertion is None:
            return None
        try:
            claims = jwt.decode(
                assertion,
                self.app_public_key,  # type: ignore[arg-type]
                algorithms=["PS256", "RS256"],
                audience=self.discovery()["token_endpoint"],
                issuer=CLIENT_ID,
            )
        except jwt.InvalidTokenError:
            return None
        return "certificate" if claims.get("sub") == CLIENT_ID else None

    def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662: active and whose mailbox, for a token issued for Exchange Online."""
        if self.valid(token, "https://outlook.office365.com/.default"):
            return {"active": True, "username": self.mailbox_user}
        return {"active": False}


def _handler(entra: Entra, *, tls: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length", "0"))
            parsed = parse_qs(self.rfile.read(length).decode())
            return {k: v[0] for k, v in parsed.items()}

        def do_GET(self) -> None:
            if tls and self.path.startswith(f"/{TENANT}/v2.0/.well-known/openid-configuration"):
                self._reply(200, entra.discovery())
            else:
                self._reply(404, {"error": "not_found"})

        def do_POST(self) -> None:
            if tls and self.path == f"/{TENANT}/oauth2/v2.0/token":
                self._reply(*entra.grant(self._form()))
            elif not tls and self.path == "/introspect":
                self._reply(200, entra.introspect(self._form().get("token", "")))
            else:
                self._reply(404, {"error": "not_found"})

    return Handler
