"""Partners' webhook endpoints and their deliveries (resolvers/webhooks.py; signing and the retry
schedule in rules/webhooks.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models import events as m
from resolvers import webhooks as uc
from resolvers.listing import Order
from rules.webhooks import CircuitState, DeliveryStatus
from schema.enums import expose_enum
from schema.errors import mutation, payload
from schema.events import PartnerEvent, checked_types
from schema.ids import pk_of, to_global_id
from schema.relay import Connection, Rows, connection, decode_cursor

__all__ = ["WebhooksMutation", "WebhooksQuery"]

expose_enum(
    DeliveryStatus,
    "WebhookDeliveryStatus",
    "Where one event's delivery to one endpoint stands.",
    {
        DeliveryStatus.PENDING: "Waiting for its next attempt (`nextAttemptAt`); later events of the endpoint wait "
        "behind it.",
        DeliveryStatus.DELIVERED: "The endpoint answered 2xx.",
        DeliveryStatus.DEAD: "Every attempt of the retry schedule failed: in the dead-letter list until "
        "`redeliverWebhook` or `replayWebhooks`.",
    },
)

expose_enum(
    CircuitState,
    "WebhookCircuitState",
    "An endpoint's circuit breaker: whether deliveries to it are attempted.",
    {
        CircuitState.CLOSED: "Deliveries are attempted on their schedule.",
        CircuitState.OPEN: "The endpoint failed `webhookCircuitFailures` attempts in a row (settings): nothing is "
        "attempted until `circuitOpenUntil`; its deliveries wait, in order, and do not use up their retries.",
        CircuitState.HALF_OPEN: "The cool-down ended: the oldest pending delivery is tried once (the probe); "
        "success closes the circuit, failure opens it for another cool-down.",
    },
)


@strawberry.type(description="A partner's webhook endpoint. Its secret is shown once, at registration.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="The endpoint's id.")
    url: str = strawberry.field(description="Where events are POSTed.")
    event_types: list[str] = strawberry.field(description="The event types delivered; empty: every granted type.")
    active: bool = strawberry.field(description="False once removed: nothing more is delivered.")
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    circuit: CircuitState = strawberry.field(description="The circuit breaker: closed, open (a dead endpoint: "
                                             "nothing attempted) or half-open (the next attempt is a probe).")
    consecutive_failures: int = strawberry.field(description="Failed attempts in a row (0 after a success).")
    circuit_open_until: datetime | None = strawberry.field(description="While the circuit is open: when the probe "
                                                           "may go (UTC).")

    @classmethod
    def from_row(cls, row: m.WebhookEndpoint) -> WebhookEndpoint:
        return cls(id=strawberry.ID(str(to_global_id("WebhookEndpoint", row.id))), url=row.url,
                   event_types=list(row.event_types), active=row.active, created_at=row.created_at,
                   circuit=row.circuit.state(datetime.now(UTC)), consecutive_failures=row.consecutive_failures,
                   circuit_open_until=row.circuit_open_until)


@strawberry.type(description="One event's delivery to one endpoint, with its attempts.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The delivery's id (for `redeliverWebhook`).")
    status: DeliveryStatus = strawberry.field(description="Pending, delivered or dead.")
    attempts: int = strawberry.field(description="Attempts made since it was (re)scheduled.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried next (pending only).")
    last_status_code: int | None = strawberry.field(description="The endpoint's last HTTP status, if it answered.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    delivered_at: datetime | None = strawberry.field(description="When the endpoint accepted it.")
    _event_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: m.WebhookDelivery) -> WebhookDelivery:
        return cls(id=strawberry.ID(str(to_global_id("WebhookDelivery", row.id))), status=row.status,
                   attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_status_code=row.last_status_code,
                   last_error=row.last_error, delivered_at=row.delivered_at, _event_id=row.event_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The event delivered.")
    async def event(self) -> PartnerEvent:
        return PartnerEvent.from_row(await m.PartnerEvent.get(id=self._event_id))


@strawberry.input(description="A new webhook endpoint.")
class RegisterWebhookEndpointInput:
    url: str = strawberry.field(description="An https URL (http only in development) on a public address; up to "
                                "2,000 characters.")
    event_types: list[str] = strawberry.field(description="The event types to deliver, among those the account is "
                                              "granted; empty: every granted type.")


@strawberry.input(description="The endpoint to switch off.")
class RemoveWebhookEndpointInput:
    endpoint_id: relay.GlobalID = strawberry.field(description="One's own endpoint (`WebhookEndpoint`).")


@strawberry.input(description="The endpoint to re-enable.")
class ResetWebhookCircuitInput:
    endpoint_id: relay.GlobalID = strawberry.field(description="One's own endpoint (`WebhookEndpoint`; officers "
                                                   "and admins: any).")


@strawberry.input(description="A delivery to try again.")
class RedeliverWebhookInput:
    delivery_id: relay.GlobalID = strawberry.field(description="One's own delivery (`WebhookDelivery`).")


@strawberry.input(description="Deliver an endpoint's events again from a cursor.")
class ReplayWebhooksInput:
    endpoint_id: relay.GlobalID = strawberry.field(description="One's own endpoint (`WebhookEndpoint`).")
    from_: str | None = strawberry.field(default=None, name="from", description="An event cursor (`events` or a "
                                         "subscription's `cursor`): the events after it; none: every event already "
                                         "scheduled for the endpoint.")


@payload(description="The new endpoint and its secret, or why not.")
class RegisterWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint registered.")
    secret: str | None = strawberry.field(default=None, description="The signing secret (`whsec_...`), shown only "
                                          "here, once: verify `webhook-signature` with it (README).")


@payload(description="The endpoint switched off, or why not.")
class RemoveWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint, now inactive.")


@payload(description="The endpoint with its circuit closed, or why not.")
class ResetWebhookCircuitPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint, circuit closed.")


@payload(description="The delivery put back in line, or why not.")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="The delivery, pending again.")


@payload(description="How many deliveries were put back in line, or why not.")
class ReplayWebhooksPayload:
    scheduled: int | None = strawberry.field(default=None, description="Deliveries pending again, in event order.")


@strawberry.type
class WebhooksQuery:
    @connection(description="One's webhook endpoints (admins: every partner's), oldest first, without secrets.")
    async def webhook_endpoints(self, info: strawberry.Info) -> Connection[WebhookEndpoint]:
        return Rows(uc.list_endpoints(info.context.user), WebhookEndpoint.from_row)  # type: ignore[return-value]

    @connection(description="Deliveries to one's endpoints, oldest first; `status: DEAD` is the dead-letter list.")
    async def webhook_deliveries(
        self,
        info: strawberry.Info,
        status: Annotated[DeliveryStatus | None, strawberry.argument(description="Only deliveries in this state.")] = None,
    ) -> Connection[WebhookDelivery]:
        return Rows(uc.list_deliveries(info.context.user, status), WebhookDelivery.from_row)  # type: ignore[return-value]


@strawberry.type
class WebhooksMutation:
    @mutation(description="Partners: register a webhook endpoint for granted event types. New events from now on "
              "are POSTed to it, signed (Standard Webhooks); `replayWebhooks` sends older ones.")
    async def register_webhook_endpoint(
        self, info: strawberry.Info, input: RegisterWebhookEndpointInput
    ) -> RegisterWebhookEndpointPayload:
        cmd = uc.RegisterEndpoint(url=input.url, event_types=checked_types(input.event_types, "eventTypes") or [])
        endpoint, secret = await uc.register_endpoint(info.context.user, cmd, info.context.settings)
        return RegisterWebhookEndpointPayload(endpoint=WebhookEndpoint.from_row(endpoint), secret=secret)

    @mutation(description="Switch off one's endpoint: nothing more is delivered to it.")
    async def remove_webhook_endpoint(
        self, info: strawberry.Info, input: RemoveWebhookEndpointInput
    ) -> RemoveWebhookEndpointPayload:
        pk = pk_of(input.endpoint_id, "WebhookEndpoint", "endpointId")
        return RemoveWebhookEndpointPayload(endpoint=WebhookEndpoint.from_row(
            await uc.remove_endpoint(info.context.user, pk)))

    @mutation(description="Re-enable an endpoint whose circuit breaker opened (it is back up): the circuit "
              "closes and its oldest pending delivery goes at once, the others after it in order. The owner, "
              "officers and admins.")
    async def reset_webhook_circuit(
        self, info: strawberry.Info, input: ResetWebhookCircuitInput
    ) -> ResetWebhookCircuitPayload:
        pk = pk_of(input.endpoint_id, "WebhookEndpoint", "endpointId")
        return ResetWebhookCircuitPayload(endpoint=WebhookEndpoint.from_row(
            await uc.reset_circuit(info.context.user, pk)))

    @mutation(description="Try one delivery again (a dead one, typically), due now with a fresh retry schedule.")
    async def redeliver_webhook(self, info: strawberry.Info, input: RedeliverWebhookInput) -> RedeliverWebhookPayload:
        pk = pk_of(input.delivery_id, "WebhookDelivery", "deliveryId")
        return RedeliverWebhookPayload(delivery=WebhookDelivery.from_row(await uc.redeliver(info.context.user, pk)))

    @mutation(description="Deliver again every event of one's endpoint after a cursor, in order.")
    async def replay_webhooks(self, info: strawberry.Info, input: ReplayWebhooksInput) -> ReplayWebhooksPayload:
        pk = pk_of(input.endpoint_id, "WebhookEndpoint", "endpointId")
        key = decode_cursor(Order(), input.from_, "from")
        return ReplayWebhooksPayload(scheduled=await uc.replay(info.context.user, pk, key[1] if key else 0))
