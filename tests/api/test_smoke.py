from rules.enums import Role
from tests.factories import make_caller, make_miner


async def test_officer_lists_miners(client):
    await make_miner()
    officer = await make_caller(client, Role.OFFICER)
    result = await officer.gql("{ miners { totalCount edges { node { id name binIin } } } }")
    assert "errors" not in result, result
    assert result["data"]["miners"]["totalCount"] == 1
