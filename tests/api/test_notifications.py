"""Alerts to people (issue 14 item 6): the 2-WD pool-change obligation opened, due tomorrow and
overdue, in-app and by e-mail in the recipient's language, idempotent; escalation to the head."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta

import pytest

from jobs.tasks import dispatch_outbox
from models.access import User
from models.licensing import NotificationObligation
from models.notifications import Notification
from resolvers import notifications, pool_change
from resolvers.calendar import load_calendar
from rules.access import SYSTEM
from rules.enums import Role
from rules.notifications import NotificationKind, render
from settings import Settings
from tests.factories import ERRORS, errors_of, make_caller, make_miner, make_pool


class SmtpSink:
    """A local SMTP server that keeps what it receives (enough of RFC 5321 for aiosmtplib)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink\r\n")
        while line := await reader.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                writer.write(b"250 sink\r\n")
            elif command == "DATA":
                writer.write(b"354 go\r\n")
                await writer.drain()
                data = []
                while (chunk := await reader.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode())
                self.messages.append("".join(data))
                writer.write(b"250 ok\r\n")
            elif command == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    async def __aenter__(self) -> SmtpSink:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def sink():
    async with SmtpSink() as s:
        yield s


async def _world(client):
    miner = await make_miner(email="miner@alfa.kz")
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    await User.filter(id=applicant.user_id).update(language="kk")
    head = await make_caller(client, Role.OFFICER)
    await User.filter(id=head.user_id).update(is_head=True)
    colleague = await make_caller(client, Role.OFFICER)  # not a head: no escalation
    one, two = await make_pool(), await make_pool()
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, one.id, date(2025, 6, 2)))
    await pool_change.set_miner_pool(SYSTEM, pool_change.SetMinerPool(miner.id, two.id, date(2025, 6, 3)))
    return applicant, head, colleague


def _kinds(rows) -> list[str]:
    return [r.kind.value for r in rows]


async def test_an_overdue_obligation_alerts_the_miner_once_in_its_language_and_escalates_once(client, settings, sink):
    settings = Settings(**{**settings.__dict__, "smtp_host": "127.0.0.1", "smtp_port": sink.port})
    ctx = {"settings": settings}
    applicant, head, colleague = await _world(client)
    await dispatch_outbox(ctx)  # the obligation opened
    mine = await Notification.filter(recipient_id=applicant.user_id).order_by("id")
    assert _kinds(mine) == ["POOL_CHANGE_OPENED"] and mine[0].language == "kk"
    assert len(sink.messages) == 1
    # The 2 WD have passed: the overdue job flags it; the dispatcher alerts.
    async def overdue_run() -> None:
        await pool_change.flag_overdue_obligations(datetime.now(UTC), await load_calendar())
        await dispatch_outbox(ctx)

    await overdue_run()
    mine = await Notification.filter(recipient_id=applicant.user_id).order_by("id")
    assert _kinds(mine) == ["POOL_CHANGE_OPENED", "POOL_CHANGE_OVERDUE"]
    overdue = mine[1]
    assert overdue.subject == render(NotificationKind.POOL_CHANGE_OVERDUE, "kk", {})[0]  # Kazakh, as the user reads
    assert len(sink.messages) == 2 and "miner@alfa.kz" in sink.messages[1]
    assert "Content-Language: kk" in sink.messages[1]
    assert _kinds(await Notification.filter(recipient_id=head.user_id)) == ["ESCALATION"]
    assert await Notification.filter(recipient_id=colleague.user_id).count() == 0
    # A re-run of the job (and a redelivery of the event) sends nothing new.
    await overdue_run()
    event = {"obligation_id": overdue.entity_id, "miner_id": (await NotificationObligation.get()).miner_id,
             "due": None}
    await notifications.pool_change_overdue(event, ctx)
    assert await Notification.all().count() == 3 and len(sink.messages) == 2
    from models.notifications import Escalation
    assert [e.kind.value for e in await Escalation.all()] == ["OBLIGATION"]  # one breach in the heads' queue


async def test_due_tomorrow_reminder_once_per_obligation(client, settings):
    applicant, _, _ = await _world(client)
    obligation = await NotificationObligation.get()
    now = obligation.due_at - timedelta(hours=5)
    calendar = await load_calendar()
    assert await notifications.flag_pool_change_due_tomorrow(now, calendar) == 1
    await notifications.flag_pool_change_due_tomorrow(now, calendar)
    await dispatch_outbox({"settings": settings})
    kinds = _kinds(await Notification.filter(recipient_id=applicant.user_id).order_by("id"))
    assert kinds == ["POOL_CHANGE_OPENED", "POOL_CHANGE_DUE_TOMORROW"]


async def test_notifications_are_read_and_marked_by_their_recipient_only(client, settings):
    applicant, head, _ = await _world(client)
    await dispatch_outbox({"settings": settings})
    query = "query($u: Boolean) { notifications(unread: $u) { edges { node { id kind subject language readAt } } } }"
    [node] = [e["node"] for e in (await applicant.gql(query, {"u": True}))["data"]["notifications"]["edges"]]
    assert node["kind"] == "POOL_CHANGE_OPENED" and node["language"] == "kk" and node["readAt"] is None
    mark = "mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) { count " + ERRORS + " } }"
    assert errors_of(await head.gql(mark, {"i": {"notificationIds": [node["id"]]}})) == ["NOT_FOUND"]  # another's
    assert (await head.gql(query, {}))["data"]["notifications"]["edges"] == []
    done = await applicant.gql(mark, {"i": {"notificationIds": [node["id"]]}})
    assert done["data"]["markNotificationsRead"]["count"] == 1
    assert (await applicant.gql(query, {"u": True}))["data"]["notifications"]["edges"] == []
    assert errors_of(await applicant.gql(mark, {"i": {"notificationIds": ["bad"]}})) == ["INVALID_ID"]


async def test_hearing_notice_and_decision_reach_the_applicant_in_its_language(client):
    miner = await make_miner()
    applicant = await make_caller(client, Role.APPLICANT, miner=miner)
    russian = await make_caller(client, Role.APPLICANT, miner=miner)
    await User.filter(id=applicant.user_id).update(language="kk")
    after = {"id": 5, "miner_id": miner.id, "pool_id": None, "incoming_number": "KZ-IN-5",
             "hearing_on": "2025-04-10", "hearing_time": "10:30:00", "hearing_place": "Астана"}
    event = {"entity": "Application", "id": 5, "after": after}
    await notifications.hearing_scheduled(event, {})
    await notifications.hearing_scheduled(event, {})  # redelivered: nothing new
    await notifications.decision_refused(event, {})
    kk = await Notification.filter(recipient_id=applicant.user_id).order_by("id")
    ru = await Notification.filter(recipient_id=russian.user_id).order_by("id")
    assert _kinds(kk) == _kinds(ru) == ["HEARING_SCHEDULED", "DECISION"]
    assert "2025-04-10" in kk[0].body and "Астана" in kk[0].body and kk[0].language == "kk"
    assert "сағат 10:30;" in kk[0].body and "2025-04-10, 10:30;" in ru[0].body
    assert "бас тартылды" in kk[1].body and "отказано" in ru[1].body


SUBSCRIBE = "subscription { notifications { id kind subject language } }"


@pytest.mark.parametrize("through_redis", [False, True], ids=["in-process", "redis"])
async def test_the_notifications_subscription_brings_each_user_its_own_new_notifications_only(
        client, settings, through_redis):
    from main import create_app
    from tests.api.test_event_subscription import Subscriber

    if through_redis and not os.environ.get("TEST_REDIS_URL"):
        pytest.skip("needs TEST_REDIS_URL (CI sets it)")
    # With Redis the feed polls once a minute: only the worker's Redis message brings it in time
    # (the worker, here dispatch_outbox, may run in another process).
    settings = Settings(**{**settings.__dict__, "event_poll_seconds": 60.0, "redis_url": os.environ["TEST_REDIS_URL"]}
                        if through_redis else {**settings.__dict__, "event_poll_seconds": 0.05})
    app = create_app(settings, manage_db=False)
    try:
        applicant, _, colleague = await _world(client)
        await dispatch_outbox({"settings": settings})  # the opened obligation's alert: before subscribing
        async with Subscriber(app, None) as mine, Subscriber(app, None) as theirs:
            for ws, caller in ((mine, applicant), (theirs, colleague)):
                assert (await ws.init_with_token(caller.token))["type"] == "connection_ack"
                await ws.send({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE}})
            assert await mine.nothing_more(0.5)  # live only: the earlier one is in `notifications`
            await pool_change.flag_overdue_obligations(datetime.now(UTC), await load_calendar())
            await dispatch_outbox({"settings": settings})
            message = await mine.message()
            assert message["type"] == "next", message
            got = message["payload"]["data"]["notifications"]
            assert got["kind"] == "POOL_CHANGE_OVERDUE" and got["language"] == "kk"
            assert await mine.nothing_more() and await theirs.nothing_more()  # B: none of A's (nor the head's)
    finally:
        await app.state.notification_feed.close()
        await app.state.event_feed.close()


async def test_the_notifications_subscription_needs_a_token(client, settings):
    from main import create_app
    from tests.api.test_event_subscription import Subscriber, _error_code

    app = create_app(settings, manage_db=False)
    async with Subscriber(app, None) as ws:
        await ws.init()
        await ws.send({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE}})
        assert _error_code(await ws.message()) == "UNAUTHENTICATED"


QUEUE = """query($open: Boolean) { supervisorQueue(open: $open) { edges { node {
  id kind what entityKey dueAt lateDays acknowledgedAt resolvedAt } } } }"""
WORK = """mutation($i: %sEscalationInput!) { %sEscalation(input: $i) { escalation { id acknowledgedAt resolvedAt } """ \
    + ERRORS + " } }"


async def _queue(caller, open_: bool = True) -> list[dict]:
    result = await caller.gql(QUEUE, {"open": open_})
    assert "errors" not in result, result
    return [e["node"] for e in result["data"]["supervisorQueue"]["edges"]]


async def test_breaches_reach_the_heads_supervisors_queue_once_and_heads_acknowledge_and_resolve_them(client, settings):
    from models.audit import AuditEvent
    from models.notifications import Escalation

    applicant, head, colleague = await _world(client)
    ctx = {"settings": settings}
    for _ in range(2):  # the overdue job twice: one breach
        await pool_change.flag_overdue_obligations(datetime.now(UTC), await load_calendar())
        await dispatch_outbox(ctx)
    await notifications.application_overdue({"application": 41, "incoming_number": "ЗТ-41", "stage": "REVIEW",
                                             "due": "2025-06-10T18:00:00+00:00"}, ctx)
    await notifications.complaint_overdue({"complaint_id": 7, "review_due": "2025-06-20"}, ctx)
    await notifications.complaint_overdue({"complaint_id": 7, "review_due": "2025-06-20"}, ctx)  # redelivered
    assert await Escalation.all().count() == 3
    obligation, application, complaint = await _queue(head)
    assert (obligation["kind"], application["kind"], complaint["kind"]) == ("OBLIGATION", "APPLICATION", "COMPLAINT")
    assert application["entityKey"] == 41
    assert "ЗТ-41" in application["what"]
    now = datetime.now(UTC)
    assert application["lateDays"] == (now - datetime(2025, 6, 10, 18, tzinfo=UTC)).days > 300
    assert complaint["lateDays"] == (now - datetime(2025, 6, 20, tzinfo=UTC)).days
    # Nobody else reads or works the queue: not an officer who is not a head, not an applicant.
    for other in (colleague, applicant):
        assert errors_of(await other.gql(QUEUE, {"open": True})) == ["FORBIDDEN"]
        for verb in ("acknowledge", "resolve"):
            refused = await other.gql(WORK % (verb.capitalize(), verb), {"i": {"escalationId": obligation["id"]}})
            assert errors_of(refused) == ["FORBIDDEN"]
    assert await Escalation.filter(acknowledged_at__isnull=False).count() == 0
    # The head takes one up (still open), then closes it (it leaves the open queue).
    taken = await head.gql(WORK % ("Acknowledge", "acknowledge"), {"i": {"escalationId": obligation["id"]}})
    taken = taken["data"]["acknowledgeEscalation"]["escalation"]
    assert taken["acknowledgedAt"] and taken["resolvedAt"] is None
    assert [n["id"] for n in await _queue(head)] == [obligation["id"], application["id"], complaint["id"]]
    closed = await head.gql(WORK % ("Resolve", "resolve"), {"i": {"escalationId": obligation["id"]}})
    closed = closed["data"]["resolveEscalation"]["escalation"]
    assert closed["resolvedAt"] and closed["acknowledgedAt"] == taken["acknowledgedAt"]
    assert [n["id"] for n in await _queue(head)] == [application["id"], complaint["id"]]
    assert [n["id"] for n in await _queue(head, open_=False)] == [obligation["id"], application["id"], complaint["id"]]
    assert await AuditEvent.filter(action__in=["escalation.acknowledged", "escalation.resolved"]).count() == 2
    # An unknown one is NOT_FOUND; a head flag on an applicant's account means nothing.
    from schema.ids import to_global_id
    missing = await head.gql(WORK % ("Resolve", "resolve"), {"i": {"escalationId": str(to_global_id("Escalation", 999))}})
    assert errors_of(missing) == ["NOT_FOUND"]
    await User.filter(id=applicant.user_id).update(is_head=True)
    assert errors_of(await applicant.gql(QUEUE, {"open": True})) == ["FORBIDDEN"]


PREFS = """mutation($i: SetUserPreferencesInput!) { setUserPreferences(input: $i) {
  user { notificationLanguage isHead } """ + ERRORS + " } }"


async def test_a_user_sets_its_own_language_and_only_an_admin_makes_an_officer_head(client):
    from models.audit import AuditEvent
    from schema.ids import to_global_id

    def uid(caller) -> str:
        return str(to_global_id("User", caller.user_id))

    applicant = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    officer = await make_caller(client, Role.OFFICER)
    admin = await make_caller(client, Role.ADMIN)
    mine = await applicant.gql(PREFS, {"i": {"userId": uid(applicant), "language": "KK"}})
    assert mine["data"]["setUserPreferences"] == {"user": {"notificationLanguage": "KK", "isHead": False}, "errors": []}
    assert (await User.get(id=applicant.user_id)).language == "kk"
    assert await AuditEvent.filter(action="user.preferences_set").count() == 1
    # Not another's language (an applicant does not read users: NOT_FOUND; an officer does: FORBIDDEN),
    # and nobody makes itself head.
    assert errors_of(await stranger.gql(PREFS, {"i": {"userId": uid(applicant), "language": "RU"}})) == ["NOT_FOUND"]
    assert errors_of(await officer.gql(PREFS, {"i": {"userId": uid(applicant), "language": "RU"}})) == ["FORBIDDEN"]
    assert errors_of(await officer.gql(PREFS, {"i": {"userId": uid(officer), "isHead": True}})) == ["FORBIDDEN"]
    assert errors_of(await applicant.gql(PREFS, {"i": {"userId": uid(applicant), "language": "RU", "isHead": True}})) \
        == ["FORBIDDEN"]
    assert (await User.get(id=applicant.user_id)).language == "kk"
    assert not await User.filter(is_head=True).exists()
    # An admin: the head flag, on staff only; the officer then works the supervisors' queue.
    assert errors_of(await officer.gql(QUEUE, {"open": True})) == ["FORBIDDEN"]
    assert errors_of(await admin.gql(PREFS, {"i": {"userId": uid(applicant), "isHead": True}})) == ["VALIDATION"]
    made = await admin.gql(PREFS, {"i": {"userId": uid(officer), "isHead": True, "language": "KK"}})
    assert made["data"]["setUserPreferences"]["user"] == {"notificationLanguage": "KK", "isHead": True}
    assert errors_of(await officer.gql(QUEUE, {"open": True})) == []
    assert [u.id for u in await notifications._heads()] == [officer.user_id]
    assert await AuditEvent.filter(action="user.preferences_set").count() == 2


async def test_a_user_sets_its_own_e_mail_address_checked_and_an_empty_one_removes_it(client):
    from schema.ids import to_global_id

    officer = await make_caller(client, Role.OFFICER)
    stranger = await make_caller(client, Role.APPLICANT, miner=await make_miner())
    me = str(to_global_id("User", officer.user_id))
    query = PREFS.replace("isHead }", "isHead email }")
    set_ = await officer.gql(query, {"i": {"userId": me, "email": " head@energo.gov.kz "}})
    assert set_["data"]["setUserPreferences"]["user"]["email"] == "head@energo.gov.kz"
    bad = await officer.gql(query, {"i": {"userId": me, "email": "not-an-address"}})
    assert errors_of(bad) == ["VALIDATION"] and bad["data"]["setUserPreferences"]["errors"][0]["path"] == ["email"]
    assert (await User.get(id=officer.user_id)).email == "head@energo.gov.kz"  # nothing written
    assert errors_of(await stranger.gql(query, {"i": {"userId": me, "email": "x@y.kz"}})) == ["NOT_FOUND"]
    cleared = await officer.gql(query, {"i": {"userId": me, "email": ""}})
    assert cleared["data"]["setUserPreferences"]["user"]["email"] is None


async def test_a_head_with_an_address_gets_the_escalation_by_e_mail_once_in_its_language(client, settings, sink):
    settings = Settings(**{**settings.__dict__, "smtp_host": "127.0.0.1", "smtp_port": sink.port})
    ctx = {"settings": settings}
    _, head, _ = await _world(client)
    await User.filter(id=head.user_id).update(email="head@energo.gov.kz", language="ru")
    second_head = await make_caller(client, Role.OFFICER)  # a head without an address: in-app only
    await User.filter(id=second_head.user_id).update(is_head=True)
    await dispatch_outbox(ctx)  # the obligation opened: one e-mail, to the miner
    assert len(sink.messages) == 1

    async def overdue_run() -> None:
        await pool_change.flag_overdue_obligations(datetime.now(UTC), await load_calendar())
        await dispatch_outbox(ctx)

    await overdue_run()
    to_head = [m for m in sink.messages if "head@energo.gov.kz" in m]
    assert len(sink.messages) == 3 and len(to_head) == 1  # the miner's overdue alert and the head's escalation
    escalation = await Notification.get(recipient_id=head.user_id)
    assert escalation.kind.value == "ESCALATION" and escalation.emailed_at is not None
    assert "Content-Language: ru" in to_head[0]
    assert (await Notification.get(recipient_id=second_head.user_id)).emailed_at is None
    await overdue_run()  # nothing new
    assert len(sink.messages) == 3
