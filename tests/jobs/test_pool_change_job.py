"""The pool-change overdue checker (001 §16): flags unmet obligations past their 2 WD and
alerts once per obligation, however often the job runs."""

from datetime import UTC, date, datetime

import pytest

from jobs.registry import OVERDUE_CHECKERS
from jobs.tasks import recompute_overdue
from models.licensing import NotificationObligation
from models.outbox import OutboxEvent
from resolvers import pool_change
from rules.access import SYSTEM
from rules.calendar import ALMATY
from tests.factories import make_miner, make_pool

pytestmark = pytest.mark.usefixtures("clean_db")

KNOWN_AT = datetime(2025, 3, 21, 10, 0, tzinfo=ALMATY)  # due Fri 2025-03-28 18:30 Almaty
DUE = datetime(2025, 3, 28, 13, 30, tzinfo=UTC)


async def _changed_miner():
    miner, first, second = await make_miner(), await make_pool(), await make_pool()
    await pool_change.set_miner_pool(SYSTEM, miner.id, first.id, date(2025, 1, 10), now=KNOWN_AT)
    _, obligation = await pool_change.set_miner_pool(SYSTEM, miner.id, second.id, date(2025, 3, 20), now=KNOWN_AT)
    assert obligation is not None and obligation.due_at == DUE
    return miner, obligation


def test_checker_is_registered():
    assert OVERDUE_CHECKERS["pool_change"] is pool_change.flag_overdue_obligations


async def test_overdue_is_flagged_once_and_alerted_once():
    _, obligation = await _changed_miner()
    on_time = await recompute_overdue({}, now=DUE)  # 18:30 on the due day is still in time
    assert on_time["pool_change"] == 0
    first = await recompute_overdue({}, now=datetime(2025, 3, 28, 13, 31, tzinfo=UTC))
    second = await recompute_overdue({}, now=datetime(2025, 3, 31, 6, 0, tzinfo=UTC))
    assert first["pool_change"] == 1 and second["pool_change"] == 0
    assert (await NotificationObligation.get(id=obligation.id)).overdue is True
    alerts = await OutboxEvent.filter(topic="alert.pool_change_overdue")
    assert len(alerts) == 1 and alerts[0].payload["obligation_id"] == obligation.id
    assert alerts[0].dedup_key == f"pool-change-overdue:{obligation.id}"


async def test_met_obligations_are_not_flagged():
    _, obligation = await _changed_miner()
    await pool_change.notify_pool_change(SYSTEM, obligation.id, "Сменили пул", now=datetime(2025, 3, 27, 5, tzinfo=UTC))
    result = await recompute_overdue({}, now=datetime(2025, 4, 10, tzinfo=UTC))
    assert result["pool_change"] == 0
    assert await OutboxEvent.filter(topic="alert.pool_change_overdue").count() == 0
    assert (await NotificationObligation.get(id=obligation.id)).overdue is False


async def test_the_open_and_overdue_filters_agree_with_the_checker():
    _, obligation = await _changed_miner()
    late_now = datetime(2025, 3, 29, tzinfo=UTC)
    late = await pool_change.list_obligations(SYSTEM, overdue=True, now=late_now)
    assert [o.id for o in late.items] == [obligation.id]  # live, before the job ran
    not_late = await pool_change.list_obligations(SYSTEM, overdue=False, now=late_now)
    assert not_late.items == []
    early = await pool_change.list_obligations(SYSTEM, overdue=True, now=datetime(2025, 3, 27, tzinfo=UTC))
    assert early.items == []
