"""Fixtures: the Entra stand-in (token + introspection), a Dovecot that accepts only bearer
tokens it introspects there, and settings that point at them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from samverkan.config import Settings
from samverkan.intake.m365.graph import GraphClient
from samverkan.intake.m365.token import ClientApp, M365Auth, build_app
from tests.imap.conftest import sqlite_engine, sqlite_url
from tests.imap.dovecot import DovecotServer
from tests.m365.entra import CLIENT_ID, CLIENT_SECRET, TENANT, Entra
from tests.m365.graph_standin import Graph

MAILBOX = "kontakt@malmo.example"  # a shared mailbox: no one signs in to it

__all__ = ["sqlite_engine", "sqlite_url"]  # the IMAP tests' database fixtures, reused here


@pytest.fixture(scope="session")
def entra_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Entra]:
    stand_in = Entra(tmp_path_factory.mktemp("entra"))
    stand_in.start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def entra(entra_server: Entra) -> Entra:
    """The stand-in as new: nothing issued, nothing refused, tokens valid an hour."""
    with entra_server.lock:
        entra_server.issued.clear()
        entra_server.requests.clear()
    entra_server.refuse = None
    entra_server.expires_in = 3599
    return entra_server


@pytest.fixture(scope="session")
def oauth_dovecot(entra_server: Entra) -> Iterator[DovecotServer]:
    server = DovecotServer(introspection_url=entra_server.introspection_url)
    server.start()
    yield server
    server.close()


def m365_settings(entra: Entra, **kw: Any) -> Settings:
    """Settings with a client secret (or whatever ``kw`` says) for the stand-in tenant."""
    kw.setdefault("m365_client_secret", SecretStr(CLIENT_SECRET))
    kw.setdefault("m365_authority_url", entra.authority_url)
    return Settings(_env_file=None, m365_tenant_id=TENANT, m365_client_id=CLIENT_ID, **kw)


def trusting(entra: Entra | Path) -> Any:
    """An MSAL app factory that trusts the stand-in's self-signed TLS certificate."""
    cafile = entra.cafile if isinstance(entra, Entra) else entra

    def factory(settings: Settings) -> ClientApp:
        return build_app(settings, verify=str(cafile))

    return factory


@pytest.fixture
def graph(entra: Entra) -> Iterator[Graph]:
    stand_in = Graph(entra)
    stand_in.start()
    yield stand_in
    stand_in.stop()


def graph_settings(entra: Entra, graph: Graph, **kw: Any) -> Settings:
    kw.setdefault("graph_mailbox", MAILBOX)
    return m365_settings(entra, mail_backend="graph", graph_url=graph.url, **kw)


def graph_client_for(entra: Entra, graph: Graph, **kw: Any) -> GraphClient:
    """A client for the stand-in mailbox whose tokens come from the Entra stand-in."""
    settings = graph_settings(entra, graph)
    auth = M365Auth(settings, app_factory=trusting(entra))
    return GraphClient(graph.url, MAILBOX, auth, **kw)
