"""GraphQL steps of a licence application, shared by the licensing tests."""

from __future__ import annotations

from typing import Any

from schema.ids import to_global_id
from tests.factories import Caller

APPLY = """mutation($i: ApplyForLicenseInput!) { applyForLicense(input: $i) { application {
  id stage incomingNumber registeredOn completenessDue decisionDue hearingNoticeLastDay
  licenseDetails { subtype fee { mrp tenge paid } } } } }"""

APP_FIELDS = "id stage refusalGrounds refusalText refusalKind hearingOn allowedActions"

SUBTYPE_I_DOCS = [
    {"kind": "DC_OWNERSHIP", "title": "Договор купли-продажи здания ЦОД"},
    {"kind": "DC_OUTSIDE_RESIDENTIAL", "title": "Письмо акимата"},
    {"kind": "POOL_EVIDENCE", "title": "Договор с пулом", "validUntil": "2030-01-01"},
    {"kind": "ASKUE_TELECOM", "title": "Акт АСКУЭ"},
    {"kind": "GRID_TECH_CONDITIONS", "title": "ТУ 110 кВ", "validUntil": "2030-01-01"},
]
SUBTYPE_II_DOCS = [
    {"kind": "HOSTING_LETTER_OF_INTENT", "title": "Письмо о намерении размещения"},
    {"kind": "POOL_EVIDENCE", "title": "Сертификат пула"},
]
ALL_CONFIRMED = {"officialContacts": True, "noCourtBan": True, "documentsTrue": True, "personalDataConsent": True}


def license_input(miner, dcs, *, subtype="I", received_at=None, documents=None, **extra: Any) -> dict:
    data = {
        "subtype": subtype,
        "minerId": to_global_id("Miner", miner.id),
        "dataCenterIds": [to_global_id("DataCenter", dc.id) for dc in dcs],
        "confirmations": ALL_CONFIRMED,
        "documents": documents if documents is not None else (SUBTYPE_I_DOCS if subtype == "I" else SUBTYPE_II_DOCS),
        **extra,
    }
    if subtype == "I":
        data.setdefault("electricityPurchase", "SINGLE_BUYER")
    if received_at:
        data["channel"] = "OFFICE"
        data["receivedAt"] = received_at
    return data


async def apply(caller: Caller, data: dict) -> dict:
    return await caller.gql(APPLY, {"i": data})


async def step(caller: Caller, mutation: str, app_id: str, **args: Any) -> dict:
    """Run one engine mutation by name with (id + args) and return the raw result."""
    types = {
        "grounds": "[String!]!", "text": "String!", "comment": "String", "noticeSentOn": "Date!",
        "hearingOn": "Date!", "place": "String!", "placeOfIssue": "String",
    }
    decl = "".join(f", ${k}: {types[k]}" for k in args)
    call = "".join(f", {k}: ${k}" for k in args)
    extra = " license { number subtype status firstIssuedOn appendices { number subtype } }" if mutation == "approveApplication" else ""
    query = f"mutation($id: ID!{decl}) {{ {mutation}(id: $id{call}) {{ application {{ {APP_FIELDS} }}{extra} }} }}"
    return await caller.gql(query, {"id": app_id, **args})


async def pay(caller: Caller, app_id: str, paid_on: str = "2025-03-20") -> dict:
    return await caller.gql(
        "mutation($id: ID!, $d: Date!) { recordPayment(applicationId: $id, reference: \"KASPI-1\", paidOn: $d) { application { id } } }",
        {"id": app_id, "d": paid_on},
    )
