"""Teams end to end: realistic activities POSTed to /api/messages, a fake connector for replies.

The connector is a real HTTP server on loopback standing in for Teams' Bot Connector (the
activity's ``serviceUrl`` points at it), so every assertion is about what Teams would receive.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.applications import Starlette

from samverkan.bot.commands import Assign, parse
from samverkan.bot.delivery.setup import delivery
from samverkan.bot.teams import command_text, sender_ids, teams_routes
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.rules.phases import Role
from samverkan.storage import case_view as views
from samverkan.storage import cases as case_store
from samverkan.storage.models import AttachmentRow
from tests.helpers.chat import APPLICATION, WITHOUT_ORGNR, mail, snapshot
from tests.helpers.intake import by_mail, verdict

FIXTURES = Path(__file__).parent.parent / "fixtures" / "teams"
REF = "SAM-2026-0001"
KARIN_AAD = "6b1e3c4d-8f2a-4e5b-9c7d-1a2b3c4d5e6f"  # kontaktperson, known by object id
ANNA_TEAMS_ID = "29:1AnnaBergTeamsUserIdQq7Lm0RtV"  # samordnare, known only by e-mail
APP_ID = "00000000-1111-2222-3333-444444444444"

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


# -- the fake Bot Connector ----------------------------------------------------------------------


@dataclass
class Connector:
    """Records every request; answers replies with an id and roster look-ups from ``members``."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    """Downloadable files by path; those under ``/v3/attachments/`` only with the bot token."""

    def posts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]


def _handler(connector: Connector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            entry = {
                "method": self.command,
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "body": json.loads(raw) if raw else None,
            }
            connector.requests.append(entry)
            return entry

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self._record()
            self._answer(200, {"id": f"reply-{len(connector.requests)}"})

        def do_GET(self) -> None:
            entry = self._record()
            if entry["path"] in connector.files:
                secured = entry["path"].startswith("/v3/attachments/")
                allowed = entry["authorization"] == "Bearer fake-outbound-token" or not secured
                data = connector.files[entry["path"]] if allowed else b"unauthorized"
                self.send_response(200 if allowed else 401)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            member = connector.members.get(entry["path"].rsplit("/", 1)[-1])
            if member is None:
                self._answer(404, {"error": {"code": "MemberNotFound"}})
            else:
                self._answer(200, member)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def connector() -> Iterator[Connector]:
    fake = Connector()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


# -- the app and its activities ------------------------------------------------------------------


def activity(name: str, connector: Connector, **changes: Any) -> dict[str, Any]:
    """A fixture activity aimed at the fake connector; ``changes`` replace top-level keys."""
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    body["serviceUrl"] = connector.url
    body.update(copy.deepcopy(changes))
    return body


@pytest.fixture
def teams_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "teams_anonymous": True,
            "officials": {KARIN_AAD: Role.KONTAKTPERSON, "anna.berg@malmo.se": Role.SAMORDNARE},
        }
    )


@pytest.fixture
def intake(engine: Engine, teams_settings: Settings, now: datetime) -> Intake:
    return Intake(engine, teams_settings, clock=lambda: now)


def build_app(settings: Settings, engine: Engine, intake: Intake, now: datetime) -> Starlette:
    return Starlette(routes=teams_routes(settings, engine, intake, clock=lambda: now))


class Client:
    """POSTs through httpx's ASGI transport: the whole HTTP handling, without a socket."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def post(
        self, path: str, *, json: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://teams.test") as c:
                return await c.post(path, json=json, headers=headers or {})

        return asyncio.run(send())


@pytest.fixture
def client(teams_settings: Settings, engine: Engine, intake: Intake, now: datetime) -> Client:
    return Client(build_app(teams_settings, engine, intake, now))


def apply(
    intake: Intake, body: str = APPLICATION, subject: str = "Ansökan om samverkansstöd"
) -> str:
    result = intake.process(mail(body, subject), source="test.eml")
    assert result.case is not None
    return result.case


def case_view(engine: Engine, ref: str = REF) -> dict[str, Any]:
    with Session(engine) as session:
        return views.case_view(session, case_store.get_case(session, ref)).to_dict()


def card_of(post: dict[str, Any], index: int = 0) -> dict[str, Any]:
    attachment = post["body"]["attachments"][index]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return dict(attachment["content"])


def texts(card: dict[str, Any]) -> list[str]:
    """Every text Teams renders as Markdown: text blocks and fact values."""
    out: list[str] = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            out.append(element["text"])
        elif element["type"] == "FactSet":
            out += [f"{f['title']}: {f['value']}" for f in element["facts"]]
    return out


def submit_commands(card: dict[str, Any]) -> list[str]:
    return [
        action["data"]["command"]
        for element in card["body"]
        if element["type"] == "ActionSet"
        for action in element["actions"]
        if action["type"] == "Action.Submit"
    ]


# -- messages ------------------------------------------------------------------------------------


@sqlite_only
def test_a_mention_in_a_channel_is_answered_with_the_case_card_as_a_reply(
    client: Client, connector: Connector, intake: Intake
) -> None:
    apply(intake)
    response = client.post("/api/messages", json=activity("message_channel_mention", connector))

    assert response.status_code in (200, 202)
    [post] = connector.posts()
    assert post["path"] == (
        "/v3/conversations/19:c0ffee00d1@thread.tacv2;messageid=1772443800123"
        "/activities/1772443800123"
    )
    assert post["authorization"] is None  # anonymous development mode sends no token
    assert post["body"]["replyToId"] == "1772443800123"
    card = card_of(post)
    assert card["type"] == "AdaptiveCard"
    assert texts(card)[0].startswith(f"{REF} – ")
    assert "Fas: bedömning" in texts(card)
    assert f"godkänn {REF}" in submit_commands(card)


@sqlite_only
def test_a_button_that_needs_input_opens_a_form_named_command(
    client: Client, connector: Connector, intake: Intake
) -> None:
    apply(intake)
    client.post("/api/messages", json=activity("message_channel_mention", connector))

    card = card_of(connector.posts()[0])
    [actions] = [e["actions"] for e in card["body"] if e["type"] == "ActionSet"]
    meeting = next(a for a in actions if a["title"].startswith("Boka möte"))
    assert meeting["type"] == "Action.ShowCard"
    [field_] = [e for e in meeting["card"]["body"] if e["type"] == "Input.Text"]
    assert field_["id"] == "command"  # so the submitted value is {"command": "..."}
    assert field_["value"] == f"möte {REF} ÅÅÅÅ-MM-DD TT:MM"


@sqlite_only
def test_a_stranger_is_refused_politely_and_nothing_changes(
    client: Client, connector: Connector, intake: Intake, engine: Engine
) -> None:
    apply(intake)
    before = snapshot(engine)
    stranger = {
        "id": "29:1StrangerXyz",
        "name": "Okänd",
        "aadObjectId": "ffffffff-0000-4000-8000-0",
    }
    body = activity("card_submit", connector, **{"from": stranger})

    response = client.post("/api/messages", json=body)

    assert response.status_code in (200, 202)
    [refusal] = connector.posts()
    [text, *_] = texts(card_of(refusal))
    assert "inte registrerad som handläggare" in text
    assert snapshot(engine) == before
    # the roster was asked for an e-mail address, which did not make them an official either
    assert [r["method"] for r in connector.requests] == ["GET", "POST"]


@sqlite_only
def test_an_official_known_by_email_is_found_through_the_roster(
    client: Client, connector: Connector, intake: Intake
) -> None:
    apply(intake)
    connector.members[ANNA_TEAMS_ID] = {
        "id": ANNA_TEAMS_ID,
        "name": "Anna Berg",
        "aadObjectId": "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
        "email": "Anna.Berg@malmo.se",
        "userPrincipalName": "anna.berg@malmo.se",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    }
    body = activity("message_personal", connector, text=f"tilldela {REF} @karin.lund@malmo.se")

    client.post("/api/messages", json=body)

    [lookup, post] = connector.requests
    assert lookup["method"] == "GET"
    assert lookup["path"].endswith(f"/members/{ANNA_TEAMS_ID}")
    assert "karin.lund@malmo.se" in "\n".join(texts(card_of(post)))
    assert post["body"]["replyToId"] == "1772443860000"


@sqlite_only
def test_help_needs_no_role_and_no_roster_lookup(client: Client, connector: Connector) -> None:
    client.post("/api/messages", json=activity("message_personal", connector))

    [post] = connector.requests
    assert post["method"] == "POST"
    assert any("visa" in t for t in texts(card_of(post)))


@sqlite_only
def test_an_action_execute_invoke_runs_its_command_and_gets_an_invoke_response(
    client: Client, connector: Connector, intake: Intake
) -> None:
    apply(intake)
    response = client.post("/api/messages", json=activity("invoke_card_action", connector))

    assert response.status_code == 200
    assert response.json()["statusCode"] == 200
    [post] = connector.posts()
    assert texts(card_of(post))[0].startswith(f"{REF} – ")


@sqlite_only
def test_the_app_added_to_a_team_says_welcome_once_and_other_members_joining_get_nothing(
    client: Client, connector: Connector
) -> None:
    someone = activity("conversation_update_bot_added", connector,
                       membersAdded=[{"id": "29:1SomeoneNewXyz"}])  # fmt: skip
    assert client.post("/api/messages", json=someone).status_code in (200, 202)
    assert connector.requests == []

    response = client.post(
        "/api/messages", json=activity("conversation_update_bot_added", connector)
    )
    assert response.status_code in (200, 202)
    [welcome] = connector.posts()
    card = card_of(welcome)
    assert "Välkommen till Samverkan" in texts(card)[0]
    actions = {a["title"]: a for a in card["actions"]}
    assert actions["Hjälp"]["data"] == {"command": "hjälp"}
    form = actions["Nytt ärende …"]["card"]
    assert {i["id"] for i in form["body"] if i["type"].startswith("Input.")} >= {"titel", "omrade"}


# -- escaping (SPEC §5) ----------------------------------------------------------------------------

HOSTILE_SUBJECT = (
    "Ansökan [Malmö stad](https://evil.example/login) <at>Alla</at> **BID** "
    "{{DATE(2026-01-01T00:00:00Z, SHORT)}}"
)
HOSTILE_ORG = "Organisation: <at>Karin Lund</at> _AB_ [klicka](https://evil.example)\u202e"


@sqlite_only
def test_hostile_actor_text_from_a_real_case_reaches_teams_as_inert_text(
    client: Client, connector: Connector, intake: Intake
) -> None:
    body = APPLICATION.replace("Organisation: Sevedsföreningen", HOSTILE_ORG)
    apply(intake, body, subject=HOSTILE_SUBJECT)

    client.post("/api/messages", json=activity("message_channel_mention", connector))

    [post] = connector.posts()
    card = card_of(post)
    rendered = "\n".join([*texts(card), card["fallbackText"]])
    assert "\\[Malmö stad\\]\\(https://evil.example/login\\)" in rendered
    assert "\\<at\\>Alla\\</at\\>" in rendered
    assert "\\*\\*BID\\*\\*" in rendered
    for raw in ("<at>", "](", "**", "{{", "\u202e"):
        assert raw not in rendered
    # no mention entity is ever sent, so no tag could ping anyone
    assert "entities" not in post["body"] or not post["body"]["entities"]


# -- the whole flow --------------------------------------------------------------------------------


def test_apply_by_mail_show_then_click_approve_delivers_the_memo(
    client: Client, connector: Connector, intake: Intake, engine: Engine
) -> None:
    assert apply(intake) == REF
    client.post("/api/messages", json=activity("message_channel_mention", connector))
    approve = next(
        c for c in submit_commands(card_of(connector.posts()[0])) if c.startswith("godk")
    )

    click = activity("card_submit", connector, value={"command": approve})
    response = client.post("/api/messages", json=click)

    assert response.status_code in (200, 202)
    reply = connector.posts()[1]
    assert reply["body"]["replyToId"] == click["id"]
    assert "Godkänt" in "\n".join(texts(card_of(reply)))
    memo = card_of(reply, 1)
    assert memo["body"][0]["text"] == f"Tjänsteskrivelse {REF} \\(utkast\\)"
    assert memo["body"][-1]["fontType"] == "Monospace"
    assert "Sevedsföreningen" in memo["body"][-1]["text"]
    word = card_of(reply, 2)  # Teams takes no file from a bot: the card says how to get it
    assert f"samverkan memo {REF} --docx FIL" in word["body"][-1]["text"]
    case = case_view(engine)
    assert case["phase"] == "namnd"
    assert (case["history"][-1]["by"], case["history"][-1]["to"]) == (KARIN_AAD, "namnd")


# -- production: Bot Framework tokens --------------------------------------------------------------

KID = "samverkan-test-key"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def bot_framework(signing_key: rsa.RSAPrivateKey) -> Iterator[list[str]]:
    """Microsoft's two network seams replaced: the signing keys and the outbound token.

    Yields the JWKS addresses the validator asked for (it must not reach them).
    """
    asked: list[str] = []
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))

    async def signing_key_for(self: object, jwks_uri: str, header: dict[str, Any]) -> jwt.PyJWK:
        asked.append(jwks_uri)
        if header.get("kid") != KID:
            raise jwt.PyJWKClientError("unknown kid")
        return jwt.PyJWK.from_dict({**public, "kid": KID, "alg": "RS256"})

    async def outbound_token(
        self: object, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        return "fake-outbound-token"

    manager = jwt_token_validator._JwkClientManager  # private seam: the SDK is pinned to 1.9.0
    with (
        mock.patch.object(manager, "get_signing_key", signing_key_for),
        mock.patch.object(MsalAuth, "get_access_token", outbound_token),
    ):
        yield asked


def bearer(key: rsa.RSAPrivateKey, service_url: str, **claims: Any) -> dict[str, str]:
    issued = datetime.now(UTC)  # PyJWT checks exp against the real clock
    payload = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": issued,
        "exp": issued + timedelta(hours=1),
        **claims,
    }
    token = jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID})
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def production_settings(teams_settings: Settings) -> Settings:
    return teams_settings.model_copy(
        update={
            "teams_anonymous": False,
            "teams_app_id": APP_ID,
            "teams_app_password": SecretStr("app-secret"),
            "teams_tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        }
    )


@pytest.fixture
def http_server(
    production_settings: Settings,
    engine: Engine,
    intake: Intake,
    now: datetime,
    free_port: Callable[[], int],
) -> Iterator[str]:
    """The production app on a real socket, as ``samverkan serve`` runs it (uvicorn, a thread)."""
    port = free_port()
    app = build_app(production_settings, engine, intake, now)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def post_over_socket(url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    response = httpx.post(f"{url}/api/messages", json=body, headers=headers, timeout=10)
    return response.status_code


@sqlite_only
def test_production_accepts_only_bot_framework_tokens_for_this_app(
    http_server: str,
    connector: Connector,
    intake: Intake,
    engine: Engine,
    bot_framework: list[str],
    signing_key: rsa.RSAPrivateKey,
) -> None:
    apply(intake)
    before = snapshot(engine)
    approve = activity("card_submit", connector)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    refused = {
        "no token": {},
        "not bearer": {"Authorization": "Basic c2Ftdjpwdw=="},
        "wrong audience": bearer(signing_key, connector.url, aud="another-bot"),
        "wrong key": bearer(other_key, connector.url),
        "expired": bearer(signing_key, connector.url, exp=datetime.now(UTC) - timedelta(hours=1)),
        "other connector": bearer(signing_key, "https://evil.example/"),
    }
    for why, headers in refused.items():
        assert post_over_socket(http_server, approve, headers) == 401, why
    assert connector.requests == []
    assert snapshot(engine) == before

    status = post_over_socket(http_server, approve, bearer(signing_key, connector.url))

    assert status in (200, 202)
    [reply] = connector.posts()
    assert reply["authorization"] == "Bearer fake-outbound-token"
    assert case_view(engine)["phase"] == "namnd"
    assert all(uri.startswith("https://") for uri in bot_framework)  # asked, never fetched


@sqlite_only
def test_development_mode_still_refuses_a_bad_token(client: Client, connector: Connector) -> None:
    headers = {"Authorization": "Bearer not-a-jwt"}
    response = client.post(
        "/api/messages", json=activity("message_personal", connector), headers=headers
    )
    assert response.status_code == 401
    assert connector.requests == []


@sqlite_only
def test_nothing_contacts_microsoft_when_the_routes_are_built(
    production_settings: Settings,
    engine: Engine,
    intake: Intake,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with mock.patch("socket.socket.connect", side_effect=AssertionError("network at start-up")):
        routes = teams_routes(production_settings, engine, intake)
    assert [r.path for r in routes] == ["/api/messages"]
    assert "app-secret" not in caplog.text


@sqlite_only
def test_anonymous_mode_warns_at_start_up(
    teams_settings: Settings, engine: Engine, intake: Intake, caplog: pytest.LogCaptureFixture
) -> None:
    teams_routes(teams_settings, engine, intake)
    assert any(
        r.levelname == "WARNING" and "TEAMS_ANONYMOUS" in r.getMessage() for r in caplog.records
    )


@sqlite_only
def test_teams_is_off_without_configuration_and_refuses_half_a_configuration(
    settings: Settings, engine: Engine, intake: Intake
) -> None:
    assert teams_routes(settings, engine, intake) == []
    half = settings.model_copy(update={"teams_app_id": APP_ID})
    with pytest.raises(ValueError, match="TEAMS_APP_PASSWORD"):
        teams_routes(half, engine, intake)


# -- reading activities --------------------------------------------------------------------------


def test_the_bot_mention_goes_and_another_users_mention_becomes_their_id() -> None:
    body = json.loads((FIXTURES / "message_channel_mention.json").read_text())
    body["text"] = f"<at>Samverkan</at>&nbsp;tilldela {REF} <at>Karin Lund</at>\n"
    body["entities"].append(
        {
            "type": "mention",
            "text": "<at>Karin Lund</at>",
            "mentioned": {"id": "29:1KarinLundTeamsUserIdXk3h8Q2pZ", "name": "Karin Lund"},
        }
    )
    text = command_text(Activity.model_validate(body)) or ""
    assert "<at>" not in text
    assert "Samverkan" not in text
    assert parse(text) == Assign(REF, "29:1KarinLundTeamsUserIdXk3h8Q2pZ")


def test_the_sender_is_known_by_object_id_first_then_teams_id() -> None:
    body = json.loads((FIXTURES / "message_personal.json").read_text())
    assert sender_ids(Activity.model_validate(body)) == (
        "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
        ANNA_TEAMS_ID,
    )
    del body["from"]["aadObjectId"]  # a guest or a bot-to-bot call: the Teams id is all there is
    assert sender_ids(Activity.model_validate(body)) == (ANNA_TEAMS_ID,)


# -- messages that become applications (issue 14) ----------------------------------------------

LINA = {"id": "29:1LinaEkTeamsUserIdZz9", "name": "Lina Ek",
        "aadObjectId": "9f8e7d6c-5b4a-4392-8a1b-0c9d8e7f6a5b"}  # fmt: skip


PERSONAL = "a:1Pz9xPersonalChatWithSamverkanBotQk3"  # the fixture's personal chat


def html_of(text: str) -> str:
    return "".join(f"<p>{line}</p>" if line else "<p>&nbsp;</p>" for line in text.splitlines())


def posted_texts(connector: Connector) -> str:
    return "\n".join(t for p in connector.posts() for t in texts(card_of(p)))


def drain(engine: Engine, settings: Settings, now: datetime) -> None:
    """Deliver what waits in the outbox, as the service does every few seconds."""
    delivery(settings, engine).run(now)


@sqlite_only
def test_a_personal_message_from_an_actor_becomes_the_case_the_same_mail_becomes(
    client: Client, connector: Connector, engine: Engine, teams_settings: Settings,
    now: datetime, tmp_path: Path,
) -> None:  # fmt: skip
    body = activity("message_personal", connector, text=APPLICATION, **{"from": LINA})
    assert client.post("/api/messages", json=body).status_code in (200, 202)

    chat_case = case_view(engine)
    assert verdict(chat_case) == verdict(
        by_mail(APPLICATION, "Hej!", teams_settings, now, tmp_path)
    )
    assert connector.posts() == []  # the answer waits in the outbox with the case
    drain(engine, teams_settings, now)
    (answer,) = connector.posts()
    assert answer["path"] == f"/v3/conversations/{PERSONAL}/activities/{body['id']}"
    assert REF in posted_texts(connector)  # answered in the chat
    assert chat_case["history"][0]["why"] == "ansökan via Teams"
    follow_up = activity("message_personal", connector, text="Tack, vi hörs!", id="1772443999000",
                         **{"from": LINA})  # fmt: skip
    client.post("/api/messages", json=follow_up)
    messages = case_view(engine)["messages"]
    assert len(messages) == len(chat_case["messages"]) + 2  # the same case: her reply, our answer
    drain(engine, teams_settings, now)
    assert "tillagt i ärende" in texts(card_of(connector.posts()[-1]))[0]


@sqlite_only
def test_a_channel_mention_from_an_actor_and_a_reply_in_its_thread_make_one_case(
    client: Client, connector: Connector, engine: Engine, teams_settings: Settings, now: datetime
) -> None:
    root = "1772443800123"
    conversation = {"isGroup": True, "conversationType": "channel",
                    "id": f"19:c0ffee00d1@thread.tacv2;messageid={root}"}  # fmt: skip
    text = "<at>Samverkan</at> " + WITHOUT_ORGNR
    first = activity("message_channel_mention", connector, text=text, id=root, **{"from": LINA})
    client.post("/api/messages", json=first)
    assert case_view(engine)["phase"] == "komplettering"
    reply = activity("message_channel_mention", connector, id="1772443900456",
                     text="<at>Samverkan</at> Organisationsnummer: 802457-3167",
                     conversation=conversation, **{"from": LINA})  # fmt: skip
    client.post("/api/messages", json=reply)
    case = case_view(engine)
    assert case["phase"] == "bedomning"
    assert case["applicant"]["orgnr"] == "802457-3167"
    drain(engine, teams_settings, now)  # both answers are replies in the channel's thread
    thread = f"/v3/conversations/{conversation['id']}/activities"
    assert [p["path"] for p in connector.posts()] == [f"{thread}/{root}", f"{thread}/1772443900456"]
    assert "tillagt i ärende" in texts(card_of(connector.posts()[-1]))[0]


@sqlite_only
def test_the_message_action_makes_a_case_for_an_official_and_refuses_anyone_else(
    client: Client, connector: Connector, engine: Engine
) -> None:
    action = activity("message_action", connector)
    action["value"]["messagePayload"]["body"]["content"] = html_of(APPLICATION)
    stranger = {**action, "from": {"id": "29:1StrangerXyz", "aadObjectId": "ffff-0"}}
    before = snapshot(engine)
    refused = client.post("/api/messages", json=stranger)
    assert "bara användas av handläggare" in refused.json()["task"]["value"]
    assert snapshot(engine) == before

    done = client.post("/api/messages", json=action)
    assert REF in done.json()["task"]["value"]
    case = case_view(engine)
    assert case["applicant"]["contact_name"] == "Lina Ek"  # the message's author
    assert case["applicant"]["orgnr"] == "802457-3167"  # read from the message's HTML
    again = client.post("/api/messages", json=action)
    assert "redan ett ärende" in again.json()["task"]["value"]


@sqlite_only
def test_the_decision_form_records_the_committees_decision(
    client: Client, connector: Connector, intake: Intake, engine: Engine
) -> None:
    apply(intake)
    approve = activity("card_submit", connector)
    client.post("/api/messages", json=approve)
    assert case_view(engine)["phase"] == "namnd"
    client.post("/api/messages", json=activity("message_channel_mention", connector))  # visa
    buttons = [a for p in connector.posts() for e in card_of(p)["body"] if e["type"] == "ActionSet"
               for a in e["actions"]]  # fmt: skip
    (form,) = [b["card"] for b in buttons if b["type"] == "Action.ShowCard" and "beslut" in
               b["title"].lower()]  # fmt: skip
    submit = form["actions"][0]["data"]
    value = {**submit, "utfall": "beviljad", "stodform": "finansiering,processtod",
             "belopp": "350000", "paragraf": "45", "sammantrade": "2026-03-02"}  # fmt: skip
    client.post("/api/messages", json=activity("card_submit", connector, value=value))
    case = case_view(engine)
    assert case["phase"] == "genomforande"
    assert case["history"][-1]["by"] == KARIN_AAD


@sqlite_only
def test_files_in_a_teams_message_are_fetched_and_read_like_mail_attachments(
    http_server: str,
    connector: Connector,
    engine: Engine,
    bot_framework: list[str],
    signing_key: rsa.RSAPrivateKey,
) -> None:
    shared = "/download/budget.txt?tempauth=v1.eyJ"  # SharePoint's pre-authorised link
    pasted = "/v3/attachments/0-weu-d3-1a2b/views/original"  # a picture, on the connector
    connector.files[shared] = b"Organisationsnummer: 802457-3167\n"
    connector.files[pasted] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    elsewhere = connector.url.replace("127.0.0.1", "localhost")  # another host than the token's
    attachments = [
        {"contentType": "application/vnd.microsoft.teams.file.download.info",
         "contentUrl": "https://malmo.sharepoint.com/personal/lina/budget.txt",
         "name": "budget.txt",
         "content": {"downloadUrl": elsewhere + shared.lstrip("/"), "uniqueId": "B0D6E7",
                     "fileType": "txt"}},
        {"contentType": "image/png", "contentUrl": connector.url + pasted.lstrip("/")},
        {"contentType": "text/html", "content": "<p>the message itself</p>"},
    ]  # fmt: skip
    body = activity("message_personal", connector, text=WITHOUT_ORGNR, attachments=attachments,
                    **{"from": LINA})  # fmt: skip

    status = post_over_socket(http_server, body, bearer(signing_key, connector.url))

    assert status in (200, 202)
    with Session(engine) as session:
        files = session.exec(select(AttachmentRow).order_by(col(AttachmentRow.id))).all()
        assert [(f.filename, f.data) for f in files] == [
            ("budget.txt", connector.files[shared]), ("bild.png", connector.files[pasted]),
        ]  # fmt: skip
    gets = {r["path"]: r["authorization"] for r in connector.requests if r["method"] == "GET"}
    assert gets[shared] is None  # the token goes only to the connector it is for
    assert gets[pasted] == "Bearer fake-outbound-token"
    assert case_view(engine)["applicant"]["orgnr"] == "802457-3167"  # read from the file
