"""GraphQL steps of a licence application, shared by the licensing and engine tests."""

from __future__ import annotations

from typing import Any

from schema.ids import to_global_id
from tests.factories import ERRORS, Caller

APPLICATION_FIELDS = """id stage incomingNumber registeredOn completenessDueAt completenessDueOn decisionDueAt
  decisionDueOn hearingNoticeDueOn licenseDetails { subtype fee { mrp tenge paid } }"""

APPLY = f"""mutation($i: ApplyForLicenseInput!) {{ applyForLicense(input: $i) {{ application {{
  {APPLICATION_FIELDS} }} {ERRORS} }} }}"""

REISSUE = f"""mutation($i: ApplyForLicenseReissueInput!) {{ applyForLicenseReissue(input: $i) {{ application {{
  id registeredOn completenessDueAt decisionDueAt licenseDetails {{ reissueGrounds reorganisationForm
  fee {{ mrp tenge }} }} }} {ERRORS} }} }}"""

APP_FIELDS = """id stage refusalText refusalKind hearingOn hearingNoticeSentOn allowedActions
  refusalGrounds { code item legalBasis } preliminaryGrounds { code }"""

# The typed errors' own data, for the payloads whose union has them.
_TYPED = {
    "ApplicationIncomplete": "problems { code path message }",
    "HearingNoticeTooLate": "lastDay",
    "HearingOutOfWindow": "limit",
    "IllegalTransition": "stage action",
}
_MUTATION_ERRORS = {
    "acceptApplication": ("ApplicationIncomplete", "IllegalTransition"),
    "scheduleHearing": ("HearingNoticeTooLate", "HearingOutOfWindow", "IllegalTransition"),
    "assignApplication": (),
}


def typed_errors(mutation: str) -> str:
    """An `errors` selection with the typed errors' data that `mutation` can return."""
    kinds = _MUTATION_ERRORS.get(mutation, ("IllegalTransition",))
    spreads = " ".join(f"... on {k} {{ {_TYPED[k]} }}" for k in kinds)
    return f"errors {{ __typename ... on UserError {{ code message path }} {spreads} }}"


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

# The input type of each engine mutation's extra arguments.
_STEP_TYPES = {
    "acceptApplication": "AcceptApplicationInput",
    "refuseIncomplete": "RefuseIncompleteInput",
    "preliminaryRefuse": "PreliminaryRefuseInput",
    "scheduleHearing": "ScheduleHearingInput",
    "approveApplication": "ApproveApplicationInput",
    "refuseApplication": "RefuseApplicationInput",
    "withdrawApplication": "WithdrawApplicationInput",
    "assignApplication": "AssignApplicationInput",
}


def gid(type_name: str, pk: int) -> str:
    return str(to_global_id(type_name, pk))


def license_input(miner, dcs, *, subtype="I", received_at=None, documents=None, **extra: Any) -> dict:
    data = {
        "subtype": subtype,
        "minerId": gid("Miner", miner.id),
        "dataCenterIds": [gid("DataCenter", dc.id) for dc in dcs],
        "confirmations": ALL_CONFIRMED,
        "documents": documents if documents is not None else (SUBTYPE_I_DOCS if subtype == "I" else SUBTYPE_II_DOCS),
        **extra,
    }
    if subtype == "I":
        data.setdefault("electricityPurchase", "SINGLE_BUYER")
    if received_at:  # an officer's record of the receipt time (licensing is filed on the portal only)
        data["receivedAt"] = received_at
    return data


async def apply(caller: Caller, data: dict) -> dict:
    return await caller.gql(APPLY, {"i": data})


async def filed(caller: Caller, data: dict) -> dict:
    """File and return the application (the filing must succeed)."""
    result = await apply(caller, data)
    payload = result["data"]["applyForLicense"]
    assert "errors" not in result and payload["errors"] == [], result
    return payload["application"]


async def step(caller: Caller, mutation: str, app_id: str, **args: Any) -> dict:
    """Run one engine mutation by name with the application and `args` as its input."""
    extra = " license { number subtype status firstIssuedOn appendices { number subtype } }" \
        if mutation == "approveApplication" else ""
    query = (
        f"mutation($i: {_STEP_TYPES[mutation]}!) {{ {mutation}(input: $i) {{ "
        f"application {{ {APP_FIELDS} }}{extra} {typed_errors(mutation)} }} }}"
    )
    return await caller.gql(query, {"i": {"applicationId": app_id, **args}})


def payload_of(result: dict, mutation: str) -> dict:
    return result["data"][mutation]


# More than any fee due (subtype I in 2026: 2000 MRP x 4,325 = 8,650,000 tenge): paid in full.
PAID_IN_FULL = "10000000.00"


async def pay(caller: Caller, app_id: str, paid_on: str = "2025-03-20", amount: str = PAID_IN_FULL) -> dict:
    return await caller.gql(
        f"""mutation($i: RecordPaymentInput!) {{ recordPayment(input: $i) {{ application {{ id }} {ERRORS} }} }}""",
        {"i": {"applicationId": app_id, "reference": "KASPI-1", "paidOn": paid_on, "amount": amount}},
    )


def ok(result: dict) -> bool:
    """No top-level error and no payload error."""
    if result.get("errors"):
        return False
    return all(not (v or {}).get("errors") for v in (result.get("data") or {}).values() if isinstance(v, dict))
