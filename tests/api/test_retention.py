"""The retention purge (issue 14 item 8): events older than the window go, with their webhook
deliveries, and read notifications past their horizon; a cursor before what was purged stays a
typed error (EVENT_CURSOR_EXPIRED), never a silent skip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.tasks import purge_expired
from models.access import User
from models.events import PartnerEvent, WebhookDelivery, WebhookEndpoint
from models.notifications import Notification
from resolvers.listing import Order
from rules.access import PartnerKind
from rules.enums import Role
from rules.notifications import NotificationKind
from rules.webhooks import DeliveryStatus, new_secret
from schema.relay import encode_cursor
from settings import Settings
from tests.api.test_events import EVENTS, _emit_all, _license
from tests.factories import errors_of, make_caller


def _after(event_id: int) -> str:
    return encode_cursor(Order(), (event_id, event_id))


async def _keys(caller, after: str | None) -> list[int] | list[str]:
    result = await caller.gql(EVENTS, {"after": after})
    if errors_of(result):
        return errors_of(result)
    return [e["node"]["entity"]["key"] for e in result["data"]["events"]["edges"]]


async def test_the_purge_deletes_what_left_the_window_and_a_cursor_before_it_stays_expired(client, settings):
    await _emit_all(*(_license("license.suspended", i, 1) for i in range(1, 5)))
    grid = await make_caller(client, Role.PARTNER, partner_kind=PartnerKind.GRID_OPERATOR)
    ids = sorted(await PartnerEvent.all().values_list("id", flat=True))
    endpoint = await WebhookEndpoint.create(owner_id=grid.user_id, url="https://grid.example.kz/", event_types=[],
                                            secret=new_secret(), cursor=ids[-1])
    for i, status in zip(ids, [DeliveryStatus.DELIVERED, DeliveryStatus.DEAD, DeliveryStatus.DELIVERED,
                               DeliveryStatus.PENDING], strict=True):
        await WebhookDelivery.create(endpoint=endpoint, event_id=i, status=status)
    now = datetime.now(UTC)
    # Events 1 and 2 are past the 90 days; 3 and 4 are not.
    await PartnerEvent.filter(id__in=ids[:2]).update(occurred_at=now - timedelta(days=91))
    before = [await _keys(grid, _after(i)) for i in (ids[0], ids[1])]
    assert before == [["EVENT_CURSOR_EXPIRED"], [3, 4]]
    assert (await purge_expired({"settings": settings}, now=now))["events"] == 2
    assert sorted(await PartnerEvent.all().values_list("id", flat=True)) == ids[2:]
    assert sorted(await WebhookDelivery.all().values_list("event_id", flat=True)) == ids[2:]
    # The same answers after the purge: the cursor before the purged events is still refused
    # (not an empty, silent skip to event 3); the cursor of the last purged one still resumes.
    assert [await _keys(grid, _after(i)) for i in (ids[0], ids[1])] == before
    assert await _keys(grid, None) == [3, 4]
    # Idempotent: a second run deletes nothing more.
    assert (await purge_expired({"settings": settings}, now=now))["events"] == 0
    # The clock moves on 91 days: the rest goes, and any cursor before it is expired.
    later = now + timedelta(days=91)
    assert (await purge_expired({"settings": settings}, now=later))["events"] == 2
    assert await PartnerEvent.all().count() == 0 and await WebhookDelivery.all().count() == 0
    assert await _keys(grid, _after(ids[2])) == ["EVENT_CURSOR_EXPIRED"]
    # New events after the horizon are read as usual from the newest cursor.
    await _emit_all(_license("license.revoked", 5, 1))
    assert await _keys(grid, _after(ids[-1])) == [5]


async def test_read_notifications_past_their_horizon_are_purged_unread_ones_stay(client, settings):
    settings = Settings(**{**settings.__dict__, "notification_retention_days": 30})
    user = await User.get(id=(await make_caller(client, Role.OFFICER)).user_id)
    now = datetime.now(UTC)

    async def note(tag: str, read_days_ago: int | None) -> Notification:
        return await Notification.create(
            recipient=user, kind=NotificationKind.ESCALATION, dedup_key=tag, language="ru", subject=tag, body="",
            entity_type="Application", entity_id=1,
            read_at=None if read_days_ago is None else now - timedelta(days=read_days_ago))

    await note("old-read", 31)
    await note("recent-read", 29)
    await note("unread", None)
    await Notification.filter(dedup_key="unread").update(created_at=now - timedelta(days=400))
    assert (await purge_expired({"settings": settings}, now=now))["notifications"] == 1
    assert sorted(await Notification.all().values_list("dedup_key", flat=True)) == ["recent-read", "unread"]
