"""Who may see and change what: an applicant sees only its own organisation's records."""

import pytest

from models.parties import DataCenter, Miner, Pool
from rules.enums import Role
from schema.ids import to_global_id
from tests.factories import ERRORS, errors_of, make_caller, make_data_center, make_miner, make_pool


def _gid(type_name, pk):
    return str(to_global_id(type_name, pk))


@pytest.fixture
async def two_miners(client):
    mine, other = await make_miner(name="Мой майнер"), await make_miner(name="Чужой майнер")
    my_dc, other_dc = await make_data_center(mine), await make_data_center(other)
    applicant = await make_caller(client, Role.APPLICANT, miner=mine)
    return applicant, mine, other, my_dc, other_dc


async def test_applicant_lists_only_its_own_miner_and_data_centers(two_miners):
    applicant, mine, _, my_dc, _ = two_miners
    result = await applicant.gql("{ miners { totalCount edges { node { name } } } dataCenters { totalCount edges { node { name } } } }")
    assert result["data"]["miners"]["totalCount"] == 1
    assert result["data"]["miners"]["edges"][0]["node"]["name"] == mine.name
    assert [e["node"]["name"] for e in result["data"]["dataCenters"]["edges"]] == [my_dc.name]


@pytest.mark.parametrize("type_name", ["Miner", "DataCenter"])
async def test_applicant_cannot_fetch_another_miners_records_by_id(two_miners, type_name):
    applicant, mine, other, my_dc, other_dc = two_miners
    theirs = {"Miner": other.id, "DataCenter": other_dc.id}[type_name]
    ours = {"Miner": mine.id, "DataCenter": my_dc.id}[type_name]
    q = "query($id: ID!) { node(id: $id) { id } }"
    denied = await applicant.gql(q, {"id": _gid(type_name, theirs)})
    missing = await applicant.gql(q, {"id": _gid(type_name, 999_999)})
    assert denied == missing == {"data": {"node": None}}  # not FORBIDDEN: existence is not disclosed
    allowed = await applicant.gql(q, {"id": _gid(type_name, ours)})
    assert allowed["data"]["node"]["id"] == _gid(type_name, ours)


async def test_applicant_cannot_change_another_miner_or_its_data_center(two_miners):
    applicant, _, other, _, other_dc = two_miners
    r1 = await applicant.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { name } " + ERRORS + " } }",
        {"i": {"id": _gid("Miner", other.id), "name": "Захвачено"}},
    )
    r2 = await applicant.gql(
        "mutation($i: UpdateDataCenterInput!) { updateDataCenter(input: $i) { dataCenter { name } " + ERRORS + " } }",
        {"i": {"id": _gid("DataCenter", other_dc.id), "name": "Захвачено"}},
    )
    r3 = await applicant.gql(
        """mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter { id } """ + ERRORS + """ } }""",
        {"i": {"minerId": _gid("Miner", other.id), "name": "X", "address": "Y",
               "region": "ABAI", "outsideResidentialZone": True, "powerSource": "OFF_GRID"}},
    )
    r4 = await applicant.gql(
        """mutation($i: CreateDataCenterInput!) { createDataCenter(input: $i) { dataCenter { id } """ + ERRORS + """ } }""",
        {"i": {"minerId": _gid("Miner", 999_999), "name": "X", "address": "Y",
               "region": "ABAI", "outsideResidentialZone": True, "powerSource": "OFF_GRID"}},
    )
    assert errors_of(r1) == errors_of(r2) == errors_of(r3) == ["NOT_FOUND"]
    # Another organisation's record answers exactly as a missing one: same type, code, message.
    assert r3["data"]["createDataCenter"]["errors"] == r4["data"]["createDataCenter"]["errors"]
    assert (await Miner.get(id=other.id)).name == other.name
    assert (await DataCenter.get(id=other_dc.id)).name == other_dc.name
    assert await DataCenter.filter(miner_id=other.id).count() == 1


async def test_applicant_edits_its_own_contacts_but_not_its_bin(two_miners):
    applicant, mine, _, _, _ = two_miners
    q = "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { phone } " + ERRORS + " } }"
    ok = await applicant.gql(q, {"i": {"id": _gid("Miner", mine.id), "phone": "+7 705 123 45 67"}})
    assert ok["data"]["updateMiner"]["miner"]["phone"] == "+7 705 123 45 67"
    denied = await applicant.gql(q, {"i": {"id": _gid("Miner", mine.id), "binIin": "061211600012"}})
    assert errors_of(denied) == ["FORBIDDEN"]
    assert (await Miner.get(id=mine.id)).bin_iin == mine.bin_iin


async def test_applicant_cannot_create_miners_or_pools(two_miners):
    applicant = two_miners[0]
    r = await applicant.gql('mutation { createPool(input: {bin: "980440000016", name: "P"}) { pool { id } ' + ERRORS + ' } }')
    assert errors_of(r) == ["FORBIDDEN"]
    assert await Pool.all().count() == 0


async def test_pool_applicant_sees_only_its_pool_and_no_miners(client):
    mine, other = await make_pool(), await make_pool()
    await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, pool=mine)
    result = await applicant.gql("{ pools { edges { node { bin } } } miners { totalCount } }")
    assert [e["node"]["bin"] for e in result["data"]["pools"]["edges"]] == [mine.bin]
    assert result["data"]["miners"]["totalCount"] == 0
    denied = await applicant.gql("query($id: ID!) { node(id: $id) { id } }", {"id": _gid("Pool", other.id)})
    assert denied == {"data": {"node": None}}


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.PARTNER])
async def test_inspectors_and_partners_read_everything_but_change_nothing(client, role):
    miner = await make_miner()
    caller = await make_caller(client, role)
    read = await caller.gql("{ miners { totalCount } }")
    assert read["data"]["miners"]["totalCount"] == 1
    write = await caller.gql(
        "mutation($i: UpdateMinerInput!) { updateMiner(input: $i) { miner { name } " + ERRORS + " } }",
        {"i": {"id": _gid("Miner", miner.id), "name": "X"}},
    )
    assert errors_of(write) == ["FORBIDDEN"]
    assert (await Miner.get(id=miner.id)).name == miner.name


async def test_anonymous_and_revoked_or_unknown_tokens_are_unauthenticated(client):
    from tests.factories import gql

    for token in (None, "kzm_not-a-real-token", "Basic abc"):
        result = await gql(client, "{ miners { totalCount } }", token=token)
        assert errors_of(result) == ["UNAUTHENTICATED"]


async def test_deactivated_user_token_stops_working(client):
    from models.access import User

    officer = await make_caller(client, Role.OFFICER)
    assert "errors" not in await officer.gql("{ miners { totalCount } }")
    await User.filter(id=officer.user_id).update(active=False)
    assert errors_of(await officer.gql("{ miners { totalCount } }")) == ["UNAUTHENTICATED"]


async def test_tokens_are_stored_hashed(client):
    from models.access import ApiToken

    officer = await make_caller(client, Role.OFFICER)
    stored = [t.token_hash for t in await ApiToken.all()]
    assert officer.token not in stored and all(len(h) == 64 for h in stored)


async def test_only_admin_creates_users(client, officer, admin):
    q = 'mutation { createUser(input: {login: "new", fullName: "N", role: OFFICER}) { user { login role } ' + ERRORS + ' } }'
    assert errors_of(await officer.gql(q)) == ["FORBIDDEN"]
    assert (await admin.gql(q))["data"]["createUser"]["user"] == {"login": "new", "role": "OFFICER"}


async def test_applicant_user_must_be_bound_to_exactly_one_organisation(admin):
    q = 'mutation { createUser(input: {login: "lonely", fullName: "N", role: APPLICANT}) { user { login } ' + ERRORS + ' } }'
    assert errors_of(await admin.gql(q)) == ["VALIDATION"]


async def test_host_reached_through_an_appendix_is_not_disclosed_beyond_the_appendix(client):
    from datetime import date

    from models.applications import Application
    from models.licensing import License, LicenseAppendix

    host, guest = await make_miner(name="Хост"), await make_miner(name="Гость")
    host_dc, _ = await make_data_center(host), await make_data_center(host)
    app = await Application.create(procedure="LICENSE_ISSUE", channel="PORTAL", miner=guest,
                                   received_at="2025-01-10T10:00:00+05:00", stage="APPROVED")
    lic = await License.create(number="KZ-DM-T-1", holder=guest, subtype="II", first_issued_on=date(2025, 1, 10),
                               issued_on=date(2025, 1, 10), valid_until=date(2028, 1, 9),
                               place_of_issue="Астана", application=app)
    await LicenseAppendix.create(license=lic, number="KZ-DM-T-1/001", subtype="II", data_center=host_dc,
                                 issued_on=date(2025, 1, 10), valid_until=date(2028, 1, 9))
    applicant = await make_caller(client, Role.APPLICANT, miner=guest)
    result = await applicant.gql(
        '{ license(number: "KZ-DM-T-1") { appendices { dataCenterAddress dataCenter { name miner { name } } } } }'
    )
    appendix = result["data"]["license"]["appendices"][0]
    # The appendix states where the units are hosted (001 App.7); the host's record stays its own.
    assert appendix["dataCenterAddress"] == host_dc.address
    assert appendix["dataCenter"] is None
