"""SMTP AUTH XOAUTH2 with Samverkan's own token, against a real SMTP server (aiosmtpd) that
accepts only bearer tokens the Entra stand-in issued for Exchange Online."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult
from sqlalchemy.engine import Engine

from samverkan.bot.delivery.setup import delivery
from samverkan.config import TlsMode
from samverkan.intake.m365.token import EXCHANGE_SCOPE
from samverkan.intake.pipeline import Intake
from tests.conftest import NOW, SmtpSink, _free_port
from tests.imap.support import make_message
from tests.m365.entra import Entra

SENDER = "kontakt-smtp@malmo.example"
# Loopback without TLS: the stand-in cannot offer STARTTLS, Exchange Online always does.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


class OAuthSink(SmtpSink):
    """Checks XOAUTH2 as Exchange Online does: the user and a valid bearer token."""

    def __init__(self, entra: Entra) -> None:
        super().__init__()
        self.entra = entra
        self.logins: list[str] = []

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        fields = base64.b64decode(args[1]).decode().split("\x01")
        user = fields[0].removeprefix("user=")
        token = fields[1].removeprefix("auth=Bearer ")
        if user == SENDER and self.entra.valid(token, EXCHANGE_SCOPE):
            self.logins.append(user)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def oauth_sink(entra: Entra) -> Iterator[OAuthSink]:
    sink = OAuthSink(entra)
    sink.port = _free_port()
    controller = Controller(
        sink,
        hostname=sink.host,
        port=sink.port,
        auth_required=True,
        auth_require_tls=False,
        auth_exclude_mechanism=["PLAIN", "LOGIN"],
    )
    controller.start()
    yield sink
    controller.stop()


def test_outbox_mail_goes_out_over_smtp_with_an_app_only_token(
    entra: Entra,
    oauth_sink: OAuthSink,
    sqlite_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.m365.conftest import m365_settings

    # The operator's way to trust a private CA, here the stand-in's self-signed one.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(entra.cafile))
    settings = m365_settings(
        entra,
        smtp_host=oauth_sink.host,
        smtp_port=oauth_sink.port,
        smtp_tls=TlsMode.NONE,
        smtp_user=SENDER,
    )
    Intake(sqlite_engine, settings, clock=lambda: NOW).process(make_message(1), source="a.eml")
    report = delivery(settings, sqlite_engine).run(NOW, channel="email")
    assert len(report.delivered) == 1
    assert oauth_sink.logins == [SENDER]
    (message,) = oauth_sink.messages()
    assert message["To"] == "aktor1@example.org"
    assert delivery(settings, sqlite_engine).run(NOW, channel="email").delivered == []
    assert len(entra.tokens_for(EXCHANGE_SCOPE)) == 1
