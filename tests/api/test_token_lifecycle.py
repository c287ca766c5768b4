"""Issue 10, item 7: tokens expire, are listed (never their secret) and revoked by their user or an
admin; a revoked or expired token is refused from the next request on, over HTTP and on an open
websocket."""

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from main import create_app
from models.access import ApiToken
from models.audit import AuditEvent
from resolvers import tokens
from resolvers.auth import authenticate, hash_token
from rules.access import SYSTEM
from rules.enums import Role
from rules.tokens import TokenPolicy
from schema.ids import to_global_id
from schema.websocket import CLOSE_TOKEN_NOT_LIVE
from settings import Settings
from tests.factories import ERRORS, errors_of, make_caller

VIEWER = "{ viewer { roles } }"
REVOKE = "mutation($i: RevokeTokenInput!) { revokeToken(input: $i) { token { id revokedAt live } " + ERRORS + " } }"
ISSUE = ("mutation($i: IssueTokenInput!) { issueToken(input: $i) { secret token { id expiresAt live } "
         + ERRORS + " } }")
LIST = "query($user: ID, $live: Boolean) { tokens(user: $user, live: $live) { totalCount edges { node { id label createdAt expiresAt lastUsedAt revokedAt live user { id } } } } }"


async def _token_of(caller) -> ApiToken:
    return await ApiToken.get(token_hash=hash_token(caller.token))


def _gid(token: ApiToken) -> str:
    return str(to_global_id("ApiToken", token.id))


# -- HTTP -------------------------------------------------------------------------------------------


async def test_item7_new_token_expires_after_the_default_lifetime_and_is_then_refused(client):
    caller = await make_caller(client, Role.OFFICER)
    token = await _token_of(caller)
    assert token.expires_at is not None
    assert abs(token.expires_at - (token.created_at + timedelta(days=90))) < timedelta(minutes=1)
    assert await authenticate(caller.token, now=token.expires_at - timedelta(seconds=1)) is not None
    assert await authenticate(caller.token, now=token.expires_at) is None
    await ApiToken.filter(id=token.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert errors_of(await caller.gql(VIEWER)) == ["UNAUTHENTICATED"]


async def test_item7_token_issued_before_expiry_existed_lasts_the_legacy_lifetime(client):
    caller = await make_caller(client, Role.OFFICER)
    token = await _token_of(caller)
    await ApiToken.filter(id=token.id).update(expires_at=None)
    [listed] = (await caller.gql(LIST, {"live": True}))["data"]["tokens"]["edges"]
    assert listed["node"]["live"] is True and listed["node"]["expiresAt"] is not None
    assert await authenticate(caller.token, now=token.created_at + timedelta(days=89)) is not None
    assert await authenticate(caller.token, now=token.created_at + timedelta(days=91)) is None


async def test_item7_revoked_token_is_refused_from_the_next_request_and_the_revocation_is_audited(client):
    caller = await make_caller(client, Role.OFFICER)
    token = await _token_of(caller)
    result = await caller.gql(REVOKE, {"i": {"id": _gid(token)}})  # its own token, of this very request
    assert errors_of(result) == [] and result["data"]["revokeToken"]["token"]["live"] is False
    assert errors_of(await caller.gql(VIEWER)) == ["UNAUTHENTICATED"]
    event = await AuditEvent.get(action="token.revoked", entity_id=str(token.id))
    assert event.actor_id == caller.user_id and event.before["revoked_at"] is None
    assert event.after["revoked_at"] is not None and "token_hash" not in event.after


async def test_item7_admin_revokes_anyones_token_others_get_not_found(client, admin):
    owner = await make_caller(client, Role.PARTNER)
    stranger = await make_caller(client, Role.OFFICER)
    token = await _token_of(owner)
    assert errors_of(await stranger.gql(REVOKE, {"i": {"id": _gid(token)}})) == ["NOT_FOUND"]
    assert errors_of(await owner.gql(VIEWER)) == []  # untouched
    assert errors_of(await admin.gql(REVOKE, {"i": {"id": _gid(token)}})) == []
    assert errors_of(await owner.gql(VIEWER)) == ["UNAUTHENTICATED"]
    # Revoking again changes nothing and records nothing.
    assert errors_of(await admin.gql(REVOKE, {"i": {"id": _gid(token)}})) == []
    assert await AuditEvent.filter(action="token.revoked", entity_id=str(token.id)).count() == 1


async def test_item7_tokens_lists_own_tokens_for_users_and_anyones_for_admins_never_a_secret(client, admin):
    owner = await make_caller(client, Role.INSPECTOR)
    other = await make_caller(client, Role.INSPECTOR)
    await owner.gql(VIEWER)  # records its last use
    result = await owner.gql(LIST)
    assert errors_of(result) == []
    [node] = [e["node"] for e in result["data"]["tokens"]["edges"]]
    assert node["id"] == _gid(await _token_of(owner)) and node["live"] is True and node["lastUsedAt"] is not None
    assert node["expiresAt"] > node["createdAt"] and node["label"] == "test"
    assert owner.token not in json.dumps(result) and hash_token(owner.token) not in json.dumps(result)
    other_gid = str(to_global_id("User", other.user_id))
    assert (await owner.gql(LIST, {"user": other_gid}))["data"]["tokens"]["totalCount"] == 0
    assert (await admin.gql(LIST, {"user": other_gid}))["data"]["tokens"]["totalCount"] == 1
    await admin.gql(REVOKE, {"i": {"id": _gid(await _token_of(other))}})
    assert (await admin.gql(LIST, {"user": other_gid, "live": True}))["data"]["tokens"]["totalCount"] == 0


async def test_item7_partner_token_lifetime_is_set_by_an_admin_within_the_partner_maximum(client, admin):
    partner = await make_caller(client, Role.PARTNER)
    officer = await make_caller(client, Role.OFFICER)
    partner_gid = str(to_global_id("User", partner.user_id))
    long = await admin.gql(ISSUE, {"i": {"userId": partner_gid, "label": "grid operator", "expiresInDays": 365}})
    assert errors_of(long) == []
    expires = datetime.fromisoformat(long["data"]["issueToken"]["token"]["expiresAt"])
    assert timedelta(days=364) < expires - datetime.now(UTC) <= timedelta(days=365)
    too_long = await admin.gql(ISSUE, {"i": {"userId": partner_gid, "expiresInDays": 731}})
    assert errors_of(too_long) == ["VALIDATION"]
    # A partner renewing itself, and any other user, get at most the default lifetime.
    assert errors_of(await partner.gql(ISSUE, {"i": {"userId": partner_gid, "expiresInDays": 365}})) == ["VALIDATION"]
    officer_gid = str(to_global_id("User", officer.user_id))
    assert errors_of(await admin.gql(ISSUE, {"i": {"userId": officer_gid, "expiresInDays": 91}})) == ["VALIDATION"]
    assert errors_of(await officer.gql(ISSUE, {"i": {"userId": officer_gid, "expiresInDays": 0}})) == ["VALIDATION"]
    assert await ApiToken.filter(user_id=partner.user_id).count() == 2  # refused ones wrote nothing


def test_item7_token_policy_lifetimes():
    policy = TokenPolicy(ttl_days=30, partner_max_days=400)
    assert policy.lifetime(None, holder=Role.PARTNER, by_admin=True) == timedelta(days=30)
    assert policy.lifetime(400, holder=Role.PARTNER, by_admin=True) == timedelta(days=400)
    assert policy.lifetime(30, holder=Role.OFFICER, by_admin=True) == timedelta(days=30)
    for days, holder, by_admin in ((31, Role.OFFICER, True), (31, Role.PARTNER, False), (401, Role.PARTNER, True)):
        with pytest.raises(Exception, match="VALIDATION"):
            policy.lifetime(days, holder=holder, by_admin=by_admin)


# -- websockets ---------------------------------------------------------------------------------------


class AsgiWebSocket:
    """A graphql-transport-ws client driving the ASGI app in this test's task context."""

    def __init__(self, app, token: str | None, protocol: str = "graphql-transport-ws") -> None:
        self.app = app
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        headers = [(b"host", b"test"), (b"sec-websocket-protocol", protocol.encode())]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        self.scope = {
            "type": "websocket", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "ws",
            "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "query_string": b"",
            "headers": headers, "subprotocols": [protocol], "server": ("test", 80), "client": ("127.0.0.1", 1),
        }

    async def __aenter__(self) -> "AsgiWebSocket":
        self.task = asyncio.create_task(self.app(self.scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "websocket.connect"})
        assert (await self.receive())["type"] == "websocket.accept"
        return self

    async def __aexit__(self, *exc) -> None:
        await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.task, 5)

    async def send(self, message: dict) -> None:
        await self.inbox.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self, timeout: float = 10) -> dict:
        return await asyncio.wait_for(self.outbox.get(), timeout)

    async def message(self) -> dict:
        """The next protocol message, or the ASGI close event."""
        event = await self.receive()
        if event["type"] != "websocket.send":
            return event
        return json.loads(event.get("text") or event["bytes"])

    async def init(self) -> dict:
        await self.send({"type": "connection_init"})
        return await self.message()

    async def query(self, op_id: str, query: str) -> dict:
        await self.send({"type": "subscribe", "id": op_id, "payload": {"query": query}})
        return await self.message()


async def test_item7_websocket_operation_after_revocation_closes_the_socket(client, asgi_app):
    caller = await make_caller(client, Role.OFFICER)
    async with AsgiWebSocket(asgi_app, caller.token) as ws:
        assert (await ws.init())["type"] == "connection_ack"
        answer = await ws.query("1", VIEWER)
        assert answer["type"] == "next" and answer["payload"]["data"]["viewer"]["roles"] == ["OFFICER"]
        assert (await ws.message())["type"] == "complete"
        await tokens.revoke_token(SYSTEM, (await _token_of(caller)).id)
        closed = await ws.query("2", VIEWER)
        assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_TOKEN_NOT_LIVE


async def test_item7_open_idle_websocket_is_closed_when_its_token_expires(clean_db, settings, client):
    # A fast check interval: the socket is closed without sending anything.
    app = create_app(Settings(**{**settings.__dict__, "ws_token_check_seconds": 0.05}), manage_db=False)
    caller = await make_caller(client, Role.OFFICER)
    async with AsgiWebSocket(app, caller.token) as ws:
        assert (await ws.init())["type"] == "connection_ack"
        await ApiToken.filter(token_hash=hash_token(caller.token)).update(
            expires_at=datetime.now(UTC) - timedelta(seconds=1))
        closed = await ws.message()
        assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_TOKEN_NOT_LIVE


async def test_item7_websocket_with_a_revoked_token_is_rejected_at_connection_init(client, asgi_app):
    caller = await make_caller(client, Role.OFFICER)
    await tokens.revoke_token(SYSTEM, (await _token_of(caller)).id)
    async with AsgiWebSocket(asgi_app, caller.token) as ws:
        rejected = await ws.init()
        assert rejected["type"] == "websocket.close" and rejected["code"] == 4403


async def test_item7_legacy_graphql_ws_protocol_also_closes_after_revocation(client, asgi_app):
    caller = await make_caller(client, Role.OFFICER)
    async with AsgiWebSocket(asgi_app, caller.token, protocol="graphql-ws") as ws:
        assert (await ws.init())["type"] == "connection_ack"
        await ws.send({"type": "start", "id": "1", "payload": {"query": VIEWER}})
        # graphql-ws carries subscriptions only (the API has none yet): an answer, the socket stays.
        assert (await ws.message())["type"] == "error"
        await tokens.revoke_token(SYSTEM, (await _token_of(caller)).id)
        await ws.send({"type": "start", "id": "2", "payload": {"query": VIEWER}})
        closed = await ws.message()
        assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_TOKEN_NOT_LIVE
