from datetime import datetime

import pytest
import pytest_asyncio

from rules.enums import Role
from tests.factories import make_caller


@pytest_asyncio.fixture(loop_scope="session")
async def officer(client):
    return await make_caller(client, Role.OFFICER)


@pytest_asyncio.fixture(loop_scope="session")
async def admin(client):
    return await make_caller(client, Role.ADMIN)


@pytest.fixture
def engine_clock(monkeypatch):
    """Set the application engine's clock for a scenario in the past: `engine_clock(instant)`.
    Terms that judge "now" (the completeness term of a refusal of further review, the hearing
    day of a decision) then read that instant instead of today's."""
    from resolvers import applications

    def set_clock(at: datetime) -> None:
        monkeypatch.setattr(applications, "_now", lambda: at)

    return set_clock
