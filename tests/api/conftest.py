import pytest_asyncio

from rules.enums import Role
from tests.factories import make_caller


@pytest_asyncio.fixture(loop_scope="session")
async def officer(client):
    return await make_caller(client, Role.OFFICER)


@pytest_asyncio.fixture(loop_scope="session")
async def admin(client):
    return await make_caller(client, Role.ADMIN)
