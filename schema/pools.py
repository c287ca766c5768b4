"""Pool accreditation in GraphQL (004): filing and re-issue, the public register of accredited
pools and one certificate by number (the types are in schema/types/pools.py; the workflow's
steps are the shared engine's mutations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from models import pools as pm
from resolvers import pools as uc
from rules.enums import Channel, ServerRole
from rules.pools import CheckResult, PoolDocumentKind, SettlementKind
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection
from schema.types.applications import Application
from schema.types.parties import Pool
from schema.types.pools import PoolCertificate
from schema.uploads import document_items

__all__ = ["PoolsMutation", "PoolsQuery"]


_RECEIVED_AT = ("Officers only: when a paper application was received at the office (with a time zone); it "
                "decides the registration day. Audited.")


@strawberry.input(description="A server complex of the pool [004 §4(1), (3), (4)].")
class PoolServerComplexInput:
    role: ServerRole = strawberry.field(description="MAIN or BACKUP.")
    in_kazakhstan: bool = strawberry.field(description="Physically in Kazakhstan.")
    settlement: str = strawberry.field(description="The settlement (up to 500 characters).")
    settlement_kind: SettlementKind = strawberry.field(description="Its kind: a backup complex needs a city.")
    address: str = strawberry.field(description="The address (up to 500 characters).")
    providers: list[str] = strawberry.field(default_factory=list, description="The provider of each dedicated "
                                            "channel (at most 10).")


@strawberry.input(description="An attached document [004 App.2 item 8].")
class PoolDocumentInput:
    kind: PoolDocumentKind = strawberry.field(description="What it is.")
    title: str = strawberry.field(description="Its title (up to 500 characters).")
    number: str | None = strawberry.field(default=None, description="Its number, if any (up to 100 characters).")
    issued_on: date | None = strawberry.field(default=None, description="Its date, if any.")
    file: Upload | None = strawberry.field(default=None, description="The scanned document itself, optional (a "
                                           "GraphQL multipart request): a PDF, JPEG or PNG by its content, at most "
                                           "10 MiB; stored with its SHA-256.")


@strawberry.input(description="A pool accreditation application [004 App.1] with the data of the conditions of §4.")
class ApplyForPoolAccreditationInput:
    pool_id: relay.GlobalID = strawberry.field(description="The pool (a legal entity): an applicant's own; officers: "
                                               "any.")
    complexes: list[PoolServerComplexInput] = strawberry.field(description="The main complex and the backup ones "
                                                               "(at most 20).")
    infosec_act_number: str = strawberry.field(default="", description="The information-security test act: number.")
    infosec_act_date: date | None = strawberry.field(default=None, description="Its date.")
    infosec_result: CheckResult | None = strawberry.field(default=None, description="Its result [004 §4(2)].")
    round_the_clock_support: bool | None = strawberry.field(default=None, description="Support and client requests round the "
                                                 "clock [004 §4(5)].")
    support_contacts: str = strawberry.field(default="", description="The support's contacts (up to 500 characters).")
    ui_languages: list[str] = strawberry.field(default_factory=list, description="The interface languages as "
                                               "two-letter codes (kk, ru, en needed) [004 §4(6)].")
    state_service_letter_number: str = strawberry.field(default="", description="The letter on integration with the "
                                                        "state personal-data service: number [004 §4(7)].")
    state_service_letter_date: date | None = strawberry.field(default=None, description="Its date.")
    state_service_result: CheckResult | None = strawberry.field(default=None, description="Positive or negative.")
    documents_true: bool = strawberry.field(default=False, description="The information and documents are true.")
    personal_data_consent: bool = strawberry.field(default=False, description="Consent to personal data use.")
    documents: list[PoolDocumentInput] = strawberry.field(default_factory=list, description="The App.2 item 8 "
                                                          "documents.")
    channel: Channel = strawberry.field(default=Channel.PORTAL, description="PORTAL, or OFFICE for a paper one "
                                        "[004 App.2 item 2].")
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Re-issue of a pool accreditation certificate [004 §12, App.2 item 8(3)].")
class ApplyForPoolReissueInput:
    certificate_id: relay.GlobalID = strawberry.field(description="The active certificate to re-issue.")
    reason: str = strawberry.field(description="What changed (up to 500 characters).")
    complexes: list[PoolServerComplexInput] = strawberry.field(default_factory=list, description="The server "
                                                               "complexes as they are now, when they change.")
    documents_true: bool = strawberry.field(default=False, description="The information and documents are true.")
    personal_data_consent: bool = strawberry.field(default=False, description="Consent to personal data use.")
    documents: list[PoolDocumentInput] = strawberry.field(default_factory=list, description="The server-room lease.")
    channel: Channel = strawberry.field(default=Channel.PORTAL, description="PORTAL, or OFFICE for a paper one.")
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


def _complexes(items: list[PoolServerComplexInput]) -> tuple[uc.ComplexItem, ...]:
    return tuple(uc.ComplexItem(role=c.role, in_kazakhstan=c.in_kazakhstan, settlement=c.settlement,
                                settlement_kind=c.settlement_kind, address=c.address, providers=tuple(c.providers))
                 for c in items)


_FILED = "The application; null when there are errors."


@payload(description="The accreditation application filed (registered, with its terms), or why not.")
class ApplyForPoolAccreditationPayload:
    application: Application | None = strawberry.field(default=None, description=_FILED)


@payload(description="The re-issue application filed, or why not.")
class ApplyForPoolReissuePayload:
    application: Application | None = strawberry.field(default=None, description=_FILED)


@strawberry.type
class PoolsQuery:
    @connection(description="The register of accredited pools: those accredited on `on` [004 §3]. Every role reads "
                "it, partner systems included.")
    def accredited_pools(
        self, info: strawberry.Info,
        on: Annotated[date, strawberry.argument(description="The day (Almaty).")],
    ) -> Connection[Pool]:
        info.context.user  # noqa: B018 - authenticated callers only
        return Rows(lambda: uc.accredited_pools(on), Pool.from_row)  # type: ignore[return-value]

    @strawberry.field(description="A pool accreditation certificate by its number; null when there is none.")
    async def pool_certificate(
        self, info: strawberry.Info,
        number: Annotated[str, strawberry.argument(description="e.g. `KZ-PL-2025-00012`.")],
    ) -> PoolCertificate | None:
        info.context.user  # noqa: B018 - authenticated callers only
        number = number.strip()
        if len(number) > 32:  # longer than any number
            return None
        row = await pm.PoolCertificate.get_or_none(number=number)
        return None if row is None else PoolCertificate.from_row(row)


@strawberry.type
class PoolsMutation:
    @mutation(description="File a pool accreditation application [004 App.1, App.2; §5-11]: 10 working days, "
              "completeness 2, review 5, a hearing before any refusal.", idempotent=True)
    async def apply_for_pool_accreditation(
        self, info: strawberry.Info, input: ApplyForPoolAccreditationInput
    ) -> ApplyForPoolAccreditationPayload:
        cmd = uc.ApplyForPoolAccreditation(
            pool_id=pk_of(input.pool_id, "Pool", "poolId"), complexes=_complexes(input.complexes),
            infosec_act_number=input.infosec_act_number, infosec_act_date=input.infosec_act_date,
            infosec_result=input.infosec_result, support_24_7=input.round_the_clock_support,
            support_contacts=input.support_contacts, ui_languages=tuple(input.ui_languages),
            state_service_letter_number=input.state_service_letter_number,
            state_service_letter_date=input.state_service_letter_date,
            state_service_result=input.state_service_result, documents_true=input.documents_true,
            personal_data_consent=input.personal_data_consent, documents=await document_items(input.documents),
            channel=input.channel, received_at=input.received_at,
        )
        app = await uc.apply_for_accreditation(info.context.user, cmd)
        return ApplyForPoolAccreditationPayload(application=Application.from_row(app))

    @mutation(description="File the re-issue of a certificate [004 §12]: 5 working days, a motivated refusal "
              "without a hearing.", idempotent=True)
    async def apply_for_pool_reissue(self, info: strawberry.Info, input: ApplyForPoolReissueInput) -> ApplyForPoolReissuePayload:
        cmd = uc.ApplyForPoolReissue(
            certificate_id=pk_of(input.certificate_id, "PoolCertificate", "certificateId"), reason=input.reason,
            complexes=_complexes(input.complexes), documents_true=input.documents_true,
            personal_data_consent=input.personal_data_consent, documents=await document_items(input.documents),
            channel=input.channel, received_at=input.received_at,
        )
        app = await uc.apply_for_reissue(info.context.user, cmd)
        return ApplyForPoolReissuePayload(application=Application.from_row(app))
