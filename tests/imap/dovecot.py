"""A throwaway Dovecot on a free loopback port, for the IMAP tests and the benchmark.

Any user name logs in with the one password (a static passdb), so each test takes a fresh
mailbox just by picking a new user name. The server runs in its own process group: stopping it
is one SIGKILL to the group, and ``restart()`` brings it back on the same port with the same
mail, as a real server restart would.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

PASSWORD = "secret"
MAIL_UID = 65534  # Dovecot refuses uid 0 for mail users

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {t}/run
state_dir = {t}/state
log_path = {t}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
{login_user}
mail_location = maildir:{t}/mail/%u
{capability}
namespace inbox {{
  inbox = yes
  separator = /
}}
{passdb}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={t}/mail/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
"""


STATIC_PASSDB = """passdb {{
  driver = static
  args = password={password}
}}"""

# Bearer tokens checked by POSTing them to an RFC 7662 introspection endpoint, as a server in
# front of Entra ID would; the mailbox is the token's "username".
OAUTH2_PASSDB = """passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {t}/dovecot-oauth2.conf.ext
}}"""

OAUTH2_CONF = """introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DovecotServer:
    """One Dovecot server. ``capability`` replaces the advertised post-login capabilities."""

    capability: str | None = None
    tls: bool = False
    introspection_url: str | None = None  # OAuth 2.0 bearer tokens only, checked there
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    imaps_port: int = 0
    password: str = PASSWORD
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dovecot-")))
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        os.chmod(self.root, 0o755)  # noqa: S103 - the mail uid must reach mail/
        (self.root / "mail").mkdir()
        root_run = os.geteuid() == 0
        uid, gid = (MAIL_UID, MAIL_UID) if root_run else (os.getuid(), os.getgid())
        self.mail_uid = uid
        if root_run:
            os.chown(self.root / "mail", uid, gid)
            login_user = "default_login_user = dovenull\ndefault_internal_user = dovecot"
        else:
            import grp
            import pwd

            me = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
            login_user = (
                f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                f"default_internal_group = {group}"
            )
        capability = f"imap_capability = {self.capability}" if self.capability else ""
        ssl = "ssl = no"
        self.cafile = self.root / "cert.pem"
        if self.tls:  # a self-signed certificate for "localhost"; clients trust it as a CA
            self.imaps_port = free_port()
            key = self.root / "key.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                 "-keyout", str(key), "-out", str(self.cafile)],
                check=True, capture_output=True,
            )  # fmt: skip
            ssl = f"ssl = yes\nssl_cert = <{self.cafile}\nssl_key = <{key}"
        if self.introspection_url:
            passdb = OAUTH2_PASSDB.format(t=self.root)
            conf = OAUTH2_CONF.format(url=self.introspection_url)
            (self.root / "dovecot-oauth2.conf.ext").write_text(conf)
        else:
            passdb = STATIC_PASSDB.format(password=self.password)
        self.conf = self.root / "dovecot.conf"
        self.conf.write_text(
            CONFIG.format(
                t=self.root,
                port=self.port,
                uid=uid,
                gid=gid,
                login_user=login_user,
                capability=capability,
                ssl=ssl,
                imaps_port=self.imaps_port,
                passdb=passdb,
            )
        )

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self.proc = subprocess.Popen([binary, "-F", "-c", str(self.conf)], start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.01)
        log = self.root / "dovecot.log"
        raise RuntimeError(f"dovecot did not start: {log.read_text() if log.exists() else ''}")

    def kill(self) -> None:
        """Kill the whole server at once, as a crash or a power cut would."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def mailbox(self, user: str | None = None) -> Dovecot:
        """A mail user on this server; a new name is a fresh, empty mailbox."""
        return Dovecot(self, user or f"u{secrets.token_hex(4)}@example.test")


@dataclass
class Dovecot:
    """What a test needs of the server, seen as one mail user."""

    server: DovecotServer
    user: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def password(self) -> str:
        return self.server.password

    def restart(self) -> None:
        self.server.restart()

    def client(self) -> IMAPClient:
        c = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        c.login(self.user, self.password)
        return c

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        c = self.client()
        try:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            c.append(folder, raw)
        finally:
            c.logout()

    def maildir(self) -> Path:
        """Where Dovecot keeps this user's INBOX: the benchmark delivers straight into it."""
        return self.server.root / "mail" / self.user
