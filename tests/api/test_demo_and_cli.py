"""The newcomer's path: demo data and the bootstrap commands use the real use cases."""

from demo import load_demo
from models.access import User
from models.applications import Application
from models.licensing import License
from models.parties import DataCenter, Miner, Pool
from resolvers.auth import bootstrap_admin
from rules.enums import Role
from tests.factories import gql


async def test_demo_loads_once_and_is_queryable(client):
    lines = await load_demo()
    counts = (await Miner.all().count(), await DataCenter.all().count(), await Pool.all().count())
    assert counts == (5, 5, 2)
    assert {m.kind.value for m in await Miner.all()} == {"IE", "LE"}
    assert len({dc.region for dc in await DataCenter.all()}) >= 4
    assert await License.all().count() == 1
    assert await Application.filter(stage="REGISTERED").count() == 1
    assert await load_demo() == ["demo data already loaded"]
    assert (await Miner.all().count(), await DataCenter.all().count(), await Pool.all().count()) == counts
    officer_token = next(line.split("token: ")[1] for line in lines if line.startswith("OFFICER"))
    result = await gql(client, "{ miners { totalCount } }", token=officer_token)
    assert result["data"]["miners"]["totalCount"] == 5


async def test_bootstrap_admin_gets_a_working_token(client):
    user, token = await bootstrap_admin("root", "Администратор")
    assert (await User.get(id=user.id)).role is Role.ADMIN
    result = await gql(client, "{ verifyAuditChain { ok } }", token=token)
    assert result["data"]["verifyAuditChain"]["ok"] is True
