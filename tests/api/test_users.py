"""Users, tokens and the viewer on the API contract: who the caller is, who reads which user,
creating users (idempotent) and issuing tokens (the secret shown once)."""

import base64

import pytest

from models.access import ApiToken, User
from models.audit import AuditEvent
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import ERRORS, error_paths, errors_of, gql, make_caller, make_miner, make_pool

VIEWER = """{ viewer { roles user { id login fullName role active createdAt updatedAt }
  organisation { __typename ... on Miner { id name } ... on Pool { id name } } } }"""
CREATE = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id login fullName role active } " + ERRORS + " } }"
ISSUE = ("mutation($i: IssueTokenInput!) { issueToken(input: $i) { secret token { id label createdAt lastUsedAt "
         "revokedAt user { id } } " + ERRORS + " } }")
NODE = "query($id: ID!) { node(id: $id) { __typename ... on User { login } ... on ApiToken { label } } }"


def _gid(type_name, pk):
    return str(to_global_id(type_name, pk))


def _pk(gid):
    return int(base64.b64decode(gid).decode().split(":")[1])


async def test_viewer_for_an_applicant_returns_its_miner(client):
    miner = await make_miner(name="ТОО «Экибастуз Майнинг»")
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    viewer = (await applicant.gql(VIEWER))["data"]["viewer"]
    assert viewer["roles"] == ["APPLICANT"]
    assert viewer["organisation"] == {"__typename": "Miner", "id": _gid("Miner", miner.id), "name": miner.name}
    user = viewer["user"]
    assert user["id"] == _gid("User", applicant.user_id) and user["role"] == "APPLICANT" and user["active"] is True
    row = await User.get(id=applicant.user_id)
    assert user["login"] == row.login and user["fullName"] == row.full_name
    assert user["createdAt"].endswith("+00:00")


async def test_viewer_for_a_pool_applicant_returns_its_pool_and_staff_have_none(client, officer):
    pool = await make_pool()
    applicant = await make_caller(client, Role.APPLICANT, pool=pool)
    viewer = (await applicant.gql(VIEWER))["data"]["viewer"]
    assert viewer["organisation"] == {"__typename": "Pool", "id": _gid("Pool", pool.id), "name": pool.name}
    staff = (await officer.gql(VIEWER))["data"]["viewer"]
    assert staff["organisation"] is None and staff["roles"] == ["OFFICER"]
    assert staff["user"]["id"] == _gid("User", officer.user_id)


async def test_viewer_needs_a_token(client):
    assert errors_of(await gql(client, VIEWER)) == ["UNAUTHENTICATED"]
    assert errors_of(await gql(client, VIEWER, token="kzm_unknown")) == ["UNAUTHENTICATED"]


async def test_users_are_read_by_admins_officers_and_themselves(client, officer, admin):
    other = await make_caller(client, Role.INSPECTOR)
    partner = await make_caller(client, Role.PARTNER)
    other_id = _gid("User", other.user_id)
    login = (await User.get(id=other.user_id)).login
    assert (await admin.gql(NODE, {"id": other_id}))["data"]["node"] == {"__typename": "User", "login": login}
    assert (await other.gql(NODE, {"id": other_id}))["data"]["node"] == {"__typename": "User", "login": login}
    # Officers see their colleagues (assignees, the audit's actors); other roles see only themselves.
    assert (await officer.gql(NODE, {"id": other_id}))["data"]["node"] == {"__typename": "User", "login": login}
    missing = await partner.gql(NODE, {"id": _gid("User", 999_999)})
    assert (await partner.gql(NODE, {"id": other_id})) == missing == {"data": {"node": None}}
    # An applicant's organisation through its user: the admin sees it.
    miner = await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    q = "query($id: ID!) { node(id: $id) { ... on User { organisation { ... on Miner { id } } } } }"
    seen = await admin.gql(q, {"id": _gid("User", applicant.user_id)})
    assert seen["data"]["node"]["organisation"] == {"id": _gid("Miner", miner.id)}


async def test_only_admin_creates_users(officer, admin):
    i = {"login": "new", "fullName": "N", "role": "OFFICER"}
    denied = await officer.gql(CREATE, {"i": i})
    assert errors_of(denied) == ["FORBIDDEN"] and denied["data"]["createUser"]["user"] is None
    created = (await admin.gql(CREATE, {"i": i}))["data"]["createUser"]
    assert created["errors"] == []
    assert {k: created["user"][k] for k in ("login", "role", "active")} == {"login": "new", "role": "OFFICER", "active": True}
    assert await User.filter(login="new").count() == 1


async def test_create_user_binds_an_applicant_to_its_organisation(admin):
    miner, pool = await make_miner(), await make_pool()
    made = await admin.gql(CREATE, {"i": {"login": "acc", "fullName": "Бухгалтер", "role": "APPLICANT",
                                          "minerId": _gid("Miner", miner.id)}})
    user = await User.get(id=_pk(made["data"]["createUser"]["user"]["id"]))
    assert user.miner_id == miner.id and user.pool_id is None  # type: ignore[attr-defined]
    pool_user = await admin.gql(CREATE, {"i": {"login": "pool-acc", "fullName": "P", "role": "APPLICANT",
                                               "poolId": _gid("Pool", pool.id)}})
    assert errors_of(pool_user) == []


@pytest.mark.parametrize(
    ("extra", "code", "path"),
    [
        ({"role": "APPLICANT"}, "VALIDATION", ["minerId"]),  # an applicant needs its organisation
        ({"role": "APPLICANT", "minerId": "M", "poolId": "P"}, "VALIDATION", ["poolId"]),  # only one
        ({"role": "OFFICER", "minerId": "M"}, "VALIDATION", ["minerId"]),  # staff are bound to none
        ({"role": "PARTNER", "poolId": "P"}, "VALIDATION", ["poolId"]),
        ({"role": "APPLICANT", "minerId": "missing"}, "NOT_FOUND", ["minerId"]),
        ({"role": "APPLICANT", "minerId": "pool-as-miner"}, "INVALID_ID", ["minerId"]),
        ({"role": "OFFICER", "login": "  "}, "VALIDATION", ["login"]),
        ({"role": "OFFICER", "login": "x" * 129}, "VALIDATION", ["login"]),
        ({"role": "OFFICER", "fullName": ""}, "VALIDATION", ["fullName"]),
    ],
)
async def test_create_user_refusals_name_the_field(admin, extra, code, path):
    miner, pool = await make_miner(), await make_pool()
    ids = {"M": _gid("Miner", miner.id), "P": _gid("Pool", pool.id), "missing": _gid("Miner", 999_999),
           "pool-as-miner": _gid("Pool", pool.id)}
    i = {"login": "lonely", "fullName": "N", **{k: ids.get(v, v) for k, v in extra.items()}}
    before = await User.all().count()
    result = await admin.gql(CREATE, {"i": i})
    assert errors_of(result) == [code] and error_paths(result) == [path]
    assert await User.all().count() == before


async def test_a_taken_login_is_a_conflict(admin):
    i = {"login": "twice", "fullName": "N", "role": "INSPECTOR"}
    assert errors_of(await admin.gql(CREATE, {"i": i})) == []
    again = await admin.gql(CREATE, {"i": {**i, "fullName": "Another"}})
    assert errors_of(again) == ["CONFLICT"] and error_paths(again) == [["login"]]


async def test_create_user_with_a_client_mutation_id_creates_once(admin):
    i = {"login": "once", "fullName": "N", "role": "INSPECTOR", "clientMutationId": "form-1"}
    first = (await admin.gql(CREATE, {"i": i}))["data"]["createUser"]
    replay = (await admin.gql(CREATE, {"i": i}))["data"]["createUser"]
    assert first["errors"] == replay["errors"] == [] and first["user"] == replay["user"]
    assert await User.filter(login="once").count() == 1
    assert await AuditEvent.filter(action="user.created", entity_id=str(_pk(first["user"]["id"]))).count() == 1
    other = await admin.gql(CREATE, {"i": {**i, "login": "twice"}})
    assert errors_of(other) == ["CONFLICT"] and error_paths(other) == [["clientMutationId"]]


async def test_issued_token_is_shown_once_and_authenticates(client, admin):
    target = await make_caller(client, Role.INSPECTOR)
    issued = (await admin.gql(ISSUE, {"i": {"userId": _gid("User", target.user_id), "label": "tablet"}}))["data"]["issueToken"]
    assert issued["errors"] == [] and issued["secret"].startswith("kzm_")
    token = issued["token"]
    assert token["label"] == "tablet" and token["lastUsedAt"] is None and token["revokedAt"] is None
    assert token["user"] == {"id": _gid("User", target.user_id)}
    stored = await ApiToken.get(id=_pk(token["id"]))
    assert stored.token_hash != issued["secret"] and issued["secret"] not in str(await AuditEvent.all().values())
    me = await gql(client, "{ viewer { user { id } } }", token=issued["secret"])
    assert me["data"]["viewer"]["user"]["id"] == _gid("User", target.user_id)
    # The token is readable later, without its secret, by its user and by admins.
    assert (await target.gql(NODE, {"id": token["id"]}))["data"]["node"] == {"__typename": "ApiToken", "label": "tablet"}
    assert (await admin.gql(NODE, {"id": token["id"]}))["data"]["node"]["label"] == "tablet"


async def test_a_user_issues_its_own_token_but_not_anothers(client, officer):
    mine = await officer.gql(ISSUE, {"i": {"userId": _gid("User", officer.user_id)}})
    assert errors_of(mine) == [] and mine["data"]["issueToken"]["token"]["label"] == ""
    other = await make_caller(client, Role.OFFICER)
    # An officer sees its colleague but may not issue tokens for it.
    colleague = await officer.gql(ISSUE, {"i": {"userId": _gid("User", other.user_id), "label": "x"}})
    assert errors_of(colleague) == ["FORBIDDEN"]
    # A partner system sees no other user: another user answers exactly as a missing one.
    partner = await make_caller(client, Role.PARTNER)
    theirs = await partner.gql(ISSUE, {"i": {"userId": _gid("User", other.user_id), "label": "x"}})
    missing = await partner.gql(ISSUE, {"i": {"userId": _gid("User", 999_999), "label": "x"}})
    assert errors_of(theirs) == ["NOT_FOUND"]
    assert theirs["data"]["issueToken"]["errors"] == missing["data"]["issueToken"]["errors"]
    assert error_paths(theirs) == [["userId"]]
    assert await ApiToken.filter(user_id=other.user_id).count() == 1  # only the one the factory made
    # ...and tokens stay their user's and the admins' business.
    their_token = await ApiToken.get(user_id=other.user_id)
    assert (await officer.gql(NODE, {"id": _gid("ApiToken", their_token.id)}))["data"]["node"] is None


async def test_token_label_is_bounded_and_ids_are_checked(admin):
    long = await admin.gql(ISSUE, {"i": {"userId": _gid("User", admin.user_id), "label": "x" * 201}})
    assert errors_of(long) == ["VALIDATION"] and error_paths(long) == [["label"]]
    wrong_type = await admin.gql(ISSUE, {"i": {"userId": _gid("Miner", 1), "label": "x"}})
    assert errors_of(wrong_type) == ["INVALID_ID"] and error_paths(wrong_type) == [["userId"]]


async def test_a_tokens_last_use_is_written_at_most_every_five_minutes(client):
    from datetime import UTC, datetime, timedelta

    from resolvers.auth import authenticate

    caller = await make_caller(client, Role.OFFICER)
    token = await ApiToken.get(user_id=caller.user_id)
    assert token.last_used_at is None
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    actor = await authenticate(caller.token, now=start)
    assert actor is not None and actor.user_id == caller.user_id and actor.role is Role.OFFICER
    assert (await ApiToken.get(id=token.id)).last_used_at == start
    await authenticate(caller.token, now=start + timedelta(minutes=4))  # no write: a read stays a read
    assert (await ApiToken.get(id=token.id)).last_used_at == start
    await authenticate(caller.token, now=start + timedelta(minutes=6))
    assert (await ApiToken.get(id=token.id)).last_used_at == start + timedelta(minutes=6)
    assert await authenticate(caller.token + "x") is None
    assert await authenticate("kzm_" + "x" * 500) is None
