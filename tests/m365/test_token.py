"""App-only tokens from the Entra stand-in through real MSAL: fetched, cached, refreshed."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from samverkan.intake.m365.token import (
    EXCHANGE_SCOPE,
    GRAPH_SCOPE,
    M365Auth,
    TokenUnavailable,
)
from tests.conftest import NOW
from tests.m365.conftest import m365_settings, trusting
from tests.m365.entra import CLIENT_SECRET, Entra


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def test_a_token_is_fetched_once_then_served_from_the_cache(entra: Entra) -> None:
    clock = Clock()
    auth = M365Auth(m365_settings(entra), clock=clock, app_factory=trusting(entra))
    first = auth.token(GRAPH_SCOPE)
    assert entra.valid(first, GRAPH_SCOPE)
    clock.now += timedelta(minutes=30)
    assert auth.token(GRAPH_SCOPE) == first
    assert len(entra.requests) == 1
    assert entra.issued[0].by == "secret"
    status = auth.status()
    assert status is not None
    assert status.ok
    assert status.expires_at == NOW + timedelta(seconds=3599)


def test_a_token_is_refreshed_before_it_expires_not_after(entra: Entra) -> None:
    clock = Clock()
    auth = M365Auth(m365_settings(entra), clock=clock, app_factory=trusting(entra))
    first = auth.token(GRAPH_SCOPE)
    clock.now += timedelta(seconds=3599) - timedelta(minutes=5, seconds=1)
    assert auth.token(GRAPH_SCOPE) == first  # not yet due
    clock.now += timedelta(seconds=2)  # inside the five minutes before expiry
    second = auth.token(GRAPH_SCOPE)
    assert second != first
    assert entra.valid(second, GRAPH_SCOPE)
    assert len(entra.requests) == 2


def test_each_scope_has_its_own_token(entra: Entra) -> None:
    auth = M365Auth(m365_settings(entra), app_factory=trusting(entra))
    graph, exchange = auth.token(GRAPH_SCOPE), auth.token(EXCHANGE_SCOPE)
    assert entra.valid(graph, GRAPH_SCOPE)
    assert entra.valid(exchange, EXCHANGE_SCOPE)
    assert not entra.valid(graph, EXCHANGE_SCOPE)
    assert [r["scope"] for r in entra.requests] == [GRAPH_SCOPE, EXCHANGE_SCOPE]


def test_a_certificate_signs_the_client_assertion_instead_of_a_secret(entra: Entra) -> None:
    settings = m365_settings(entra, m365_client_secret=None, m365_certificate_file=entra.app_pem)
    auth = M365Auth(settings, app_factory=trusting(entra))
    token = auth.token(GRAPH_SCOPE)
    assert entra.valid(token, GRAPH_SCOPE)
    assert entra.issued[0].by == "certificate"
    assert "client_secret" not in entra.requests[0]


def test_a_refused_secret_is_one_clear_line_without_the_secret(
    entra: Entra, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "fel-hemlighet-123"
    auth = M365Auth(
        m365_settings(entra, m365_client_secret=SecretStr(wrong)), app_factory=trusting(entra)
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(TokenUnavailable) as raised:
        auth.token(GRAPH_SCOPE)
    line = str(raised.value)
    assert "invalid_client" in line
    assert "\n" not in line
    with pytest.raises(TokenUnavailable):
        auth.token(GRAPH_SCOPE)  # the same problem again: not logged again
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [line]
    assert wrong not in caplog.text
    assert CLIENT_SECRET not in caplog.text
    status = auth.status()
    assert status is not None
    assert not status.ok
    assert status.error == line


def test_an_unreachable_authority_is_reported_not_raised_as_a_crash(entra: Entra) -> None:
    settings = m365_settings(entra, m365_authority_url="https://127.0.0.1:9")
    auth = M365Auth(settings, app_factory=trusting(entra))
    with pytest.raises(TokenUnavailable, match="Ingen token från Microsoft Entra"):
        auth.token(GRAPH_SCOPE)


def test_a_held_token_is_used_while_entra_is_away_until_it_expires(entra: Entra) -> None:
    clock = Clock()
    auth = M365Auth(m365_settings(entra), clock=clock, app_factory=trusting(entra))
    first = auth.token(GRAPH_SCOPE)
    entra.refuse = "temporarily_unavailable"
    clock.now += timedelta(minutes=56)  # refresh due, Entra refuses: the old one still works
    assert auth.token(GRAPH_SCOPE) == first
    status = auth.status()
    assert status is not None
    assert not status.ok
    clock.now += timedelta(minutes=4)  # now it has expired
    with pytest.raises(TokenUnavailable):
        auth.token(GRAPH_SCOPE)
    entra.refuse = None
    assert auth.token(GRAPH_SCOPE) != first
    status = auth.status()
    assert status is not None
    assert status.ok


def test_a_certificate_file_without_its_certificate_is_named_plainly(
    entra: Entra, tmp_path: Path
) -> None:
    only_key = tmp_path / "bara-nyckel.pem"
    pem = entra.app_pem.read_text()
    only_key.write_text(pem[: pem.index("-----BEGIN CERTIFICATE-----")])
    settings = m365_settings(entra, m365_client_secret=None, m365_certificate_file=only_key)
    with pytest.raises(TokenUnavailable, match="både den privata nyckeln och certifikatet"):
        M365Auth(settings, app_factory=trusting(entra)).token(GRAPH_SCOPE)
