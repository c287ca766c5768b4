"""The pool-change overdue checker (001 §16): flags unmet obligations past their 2 WD and
alerts once per obligation, however often the job runs."""

from datetime import UTC, date, datetime

import pytest

from jobs.tasks import recompute_overdue
from models.licensing import NotificationObligation
from models.outbox import OutboxEvent
from resolvers import pool_change
from resolvers.wiring import OVERDUE_CHECKERS
from rules.access import SYSTEM
from rules.calendar import ALMATY
from tests.factories import make_miner, make_pool

pytestmark = pytest.mark.usefixtures("clean_db", "clock")

KNOWN_AT = datetime(2025, 3, 21, 10, 0, tzinfo=ALMATY)
# Changed Thu 2025-03-20; 21-25 March are Nauryz days off and a weekend: 2 WD end Thu 27 18:30.
DUE = datetime(2025, 3, 27, 13, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": KNOWN_AT}
    monkeypatch.setattr(pool_change, "_now", lambda: state["now"])
    return state


async def _changed_miner():
    miner, first, second = await make_miner(), await make_pool(), await make_pool()
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, first.id, date(2025, 1, 10)))
    change = await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, second.id, date(2025, 3, 20)))
    obligation = change.obligation
    assert obligation is not None and obligation.due_at == DUE and obligation.met_at is None
    return miner, obligation


def test_checker_is_registered():
    assert OVERDUE_CHECKERS["pool_change"] is pool_change.flag_overdue_obligations


async def test_overdue_is_flagged_once_and_alerted_once():
    _, obligation = await _changed_miner()
    on_time = await recompute_overdue({}, now=DUE)  # 18:30 on the due day is still in time
    assert on_time["pool_change"] == 0
    first = await recompute_overdue({}, now=datetime(2025, 3, 27, 13, 31, tzinfo=UTC))
    second = await recompute_overdue({}, now=datetime(2025, 3, 31, 6, 0, tzinfo=UTC))
    assert first["pool_change"] == 1 and second["pool_change"] == 0
    assert (await NotificationObligation.get(id=obligation.id)).overdue is True
    alerts = await OutboxEvent.filter(topic="alert.pool_change_overdue")
    assert len(alerts) == 1 and alerts[0].payload["obligation_id"] == obligation.id
    assert alerts[0].dedup_key == f"pool-change-overdue:{obligation.id}"


async def test_met_obligations_are_not_flagged(clock):
    _, obligation = await _changed_miner()
    clock["now"] = datetime(2025, 3, 27, 5, tzinfo=UTC)
    await pool_change.notify_pool_change(SYSTEM, pool_change.NotifyPoolChange(obligation.id, "Сменили пул"))
    result = await recompute_overdue({}, now=datetime(2025, 4, 10, tzinfo=UTC))
    assert result["pool_change"] == 0
    assert await OutboxEvent.filter(topic="alert.pool_change_overdue").count() == 0
    assert (await NotificationObligation.get(id=obligation.id)).overdue is False


async def test_the_open_and_overdue_filters_agree_with_the_checker():
    _, obligation = await _changed_miner()
    late_now = datetime(2025, 3, 29, tzinfo=UTC)
    late = await pool_change.list_obligations(SYSTEM, overdue=True, now=late_now).queryset
    assert [o.id for o in late] == [obligation.id]  # live, before the job ran
    not_late = await pool_change.list_obligations(SYSTEM, overdue=False, now=late_now).queryset
    assert not_late == []
    early = await pool_change.list_obligations(SYSTEM, overdue=True, now=datetime(2025, 3, 27, tzinfo=UTC)).queryset
    assert early == []
    # The checker flags what the filter already reports.
    assert (await recompute_overdue({}, now=late_now))["pool_change"] == 1
