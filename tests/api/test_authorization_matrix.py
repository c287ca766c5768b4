"""Issue 10 item 1 and its matrix: no applicant reads or writes another organisation's data, and
"not yours" answers exactly like "missing".

The matrix is enumerated from the schema (tests/api/authz_matrix.py): every root query with every
nested field under it, every mutation with every `ID` it takes, every node type. Roles: the
applicants of two organisations (ALFA and BRAVO, each one checked against the other), an inspector,
a partner system and no token. A new query, mutation, node type or nested field is covered by
itself, or fails here until the tables below say how to call it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, get_named_type
from tortoise import Tortoise

from jobs.tasks import dispatch_outbox
from models.access import ApiToken, User
from models.applications import Application
from models.documents import Document
from models.events import PartnerEvent, WebhookDelivery, WebhookEndpoint
from models.inspections import Inspection, InspectionDataCenter
from models.licensing import (
    Complaint,
    License,
    LicenseAppendix,
    NotificationObligation,
    PoolMembership,
)
from models.notifications import Escalation, Notification
from models.parties import DataCenter, Miner, Pool
from models.pools import PoolCertificate
from models.registry import AsicUnit
from rules.enums import Role
from rules.notifications import BreachKind, NotificationKind
from rules.webhooks import DeliveryStatus, new_secret
from schema.ids import to_global_id
from tests.api import licensing_flow as lf
from tests.api import registry_flow as rf
from tests.api.authz_matrix import (
    IdField,
    graphql_schema,
    id_fields,
    mutation_text,
    object_fields,
    required_args,
    root_query,
    set_path,
)
from tests.factories import (
    Caller,
    errors_of,
    gql,
    make_caller,
    make_data_center,
    make_miner,
    make_pool,
    new_bin,
)

SCHEMA = graphql_schema()
MISSING_PK = 99_999  # below the first id of every table: never a real row (tests/conftest.py)
RECEIVED = "2025-03-19T10:00:00+05:00"


def gid(type_name: str, pk: int) -> str:
    return str(to_global_id(type_name, pk))


# --- the world: two organisations with one of everything -------------------------------------

# Node type -> how to find an organisation's rows of it (the test's own statement of ownership,
# independent of resolvers/scope.py).
OWNED: dict[str, tuple[Any, str]] = {
    "Miner": (Miner, "id"),
    "DataCenter": (DataCenter, "miner_id"),
    "Application": (Application, "miner_id"),
    "License": (License, "holder_id"),
    "LicenseAppendix": (LicenseAppendix, "license__holder_id"),
    "AsicUnit": (AsicUnit, "miner_id"),
    "Complaint": (Complaint, "application__miner_id"),
    "PoolMembership": (PoolMembership, "miner_id"),
    "NotificationObligation": (NotificationObligation, "miner_id"),
    "User": (User, "miner_id"),
    "ApiToken": (ApiToken, "user__miner_id"),
    "Inspection": (Inspection, "miner_id"),  # its subject reads it once completed (003)
    "Document": (Document, "owner_miner_id"),
}
# Node types no organisation owns: the public pool register and its certificates, the calendar
# and the audit trail (officers only).
# IncomeReport belongs to a pool, not to these miners' organisations: a miner's applicant reads
# none (tests/api/test_income_reports.py proves a pool reads only its own).
UNOWNED_NODES = {"Pool", "PoolCertificate", "CalendarOverride", "AuditEvent", "IncomeReport"}


@dataclass
class Org:
    tag: str  # in every name, address, e-mail and serial of the organisation
    caller: Caller
    miner: Miner
    private_dc: DataCenter  # on no licence: nobody else may even name it
    licensed_dc: DataCenter  # on its active subtype-I licence: a host others may name
    phone: str
    rows: dict[str, list[int]] = field(default_factory=dict)
    license_number: str = ""
    incoming_number: str = ""
    serial: str = ""

    def ids(self, type_name: str) -> list[str]:
        return [gid(type_name, pk) for pk in self.rows.get(type_name, [])]

    def markers(self) -> list[str]:
        """What would give the organisation away: its tag, BIN, phone, and every global id."""
        ids = [i for t in self.rows if t not in ABOUT_NOT_OF for i in self.ids(t)]
        return [self.tag, self.miner.bin_iin, self.phone, self.license_number, self.incoming_number, *ids]


# Rows about an organisation that it does not read itself (the heads' supervisors' queue): named in
# inputs like its own, but not among the markers it must see; their text carries its tag.
ABOUT_NOT_OF = {"Escalation"}


async def _organisation(client, officer: Caller, tag: str, phone: str, pools) -> Org:
    miner = await make_miner(name=f"{tag} Mining LLP", legal_address=f"{tag} legal address 1", phone=phone,
                             email=f"office@{tag.lower()}.kz")
    licensed = await make_data_center(miner, name=f"{tag} hall 1", address=f"{tag} site 1")
    private = await make_data_center(miner, name=f"{tag} hall 2", address=f"{tag} site 2")
    caller = await make_caller(client, Role.APPLICANT, miner=miner)
    org = Org(tag, caller, miner, private, licensed, phone, serial=f"{tag}-SN-0001")
    app = await lf.filed(officer, lf.license_input(miner, [licensed], received_at=RECEIVED))
    assert lf.ok(await lf.pay(officer, app["id"]))
    assert lf.ok(await lf.step(officer, "acceptApplication", app["id"]))
    approved = await lf.step(officer, "approveApplication", app["id"], placeOfIssue="Astana")
    assert lf.ok(approved), approved
    org.incoming_number = app["incomingNumber"]
    org.license_number = approved["data"]["approveApplication"]["license"]["number"]
    await dispatch_outbox({})  # the licence's signed documents, recorded PENDING
    pending = await lf.filed(caller, lf.license_input(miner, [private]))  # its own, still under review
    complaint = await caller.gql(
        "mutation($i: FileComplaintInput!) { fileComplaint(input: $i) { complaint { id } errors { ... on UserError { code } } } }",
        {"i": {"applicationId": pending["id"], "reviewer": "PROVIDER", "text": f"{tag}: no answer"}},
    )
    assert complaint["data"]["fileComplaint"]["errors"] == [], complaint
    included = rf.filed(await rf.include(caller, rf.inclusion_input(miner, licensed, [rf.unit(1, org.serial)])))
    assert rf.ok(await rf.approve(officer, included["id"]))
    for pool, since in zip(pools, ("2025-01-10", "2025-06-02"), strict=True):
        moved = await officer.gql(
            "mutation($i: SetMinerPoolInput!) { setMinerPool(input: $i) { errors { ... on UserError { code } } } }",
            {"i": {"minerId": gid("Miner", miner.id), "poolId": gid("Pool", pool.id), "since": since}},
        )
        assert moved["data"]["setMinerPool"]["errors"] == [], moved
    inspection = await Inspection.create(
        act_number=f"{tag}-ACT-1", act_date="2025-03-10", kind="SCHEDULED", subject_kind="MINER", miner=miner,
        planned_from="2025-03-18", planned_to="2025-03-18", status="COMPLETED", representative_position="Director",
        representative_name=f"{tag} director", officials=[{"position": "Inspector", "name": "X"}],
    )
    await InspectionDataCenter.create(inspection=inspection, data_center=licensed)
    for type_name, (model, column) in OWNED.items():
        org.rows[type_name] = sorted(await model.filter(**{column: miner.id}).values_list("id", flat=True))
        assert org.rows[type_name], f"the world has no {type_name} of {tag}"
    await _webhook_rows(org)
    return org


async def _webhook_rows(org: Org) -> None:
    """A webhook endpoint of the organisation's user, with a dead delivery of an event about its
    licence (not Node types: found by `webhookEndpoints` / `webhookDeliveries` and named in inputs)."""
    event = await PartnerEvent.create(type="license.issued", schema_version=1, occurred_at=datetime.now(UTC),
                                      entity_type="License", entity_id=org.rows["License"][0],
                                      miner_id=org.miner.id, data={}, outbox_id=org.rows["License"][0] * 1000)
    endpoint = await WebhookEndpoint.create(owner_id=org.caller.user_id, url=f"https://{org.tag.lower()}.example.kz/",
                                            event_types=[], secret=new_secret())
    delivery = await WebhookDelivery.create(endpoint=endpoint, event=event, status=DeliveryStatus.DEAD, attempts=8)
    org.rows["WebhookEndpoint"], org.rows["WebhookDelivery"] = [endpoint.id], [delivery.id]
    notification = await Notification.create(
        recipient_id=org.caller.user_id, kind=NotificationKind.DECISION, dedup_key=f"matrix:{org.tag}", language="ru",
        subject=f"{org.tag} decision", body="X", entity_type="Application", entity_id=1)
    org.rows["Notification"] = [notification.id]
    # A breach about its application in the supervisors' queue: heads only, never the organisation.
    escalation = await Escalation.create(kind=BreachKind.APPLICATION, dedup_key=f"matrix:{org.tag}",
                                         what=f"{org.tag} application late", entity_type="Application",
                                         entity_id=org.rows["Application"][0])
    org.rows["Escalation"] = [escalation.id]


@pytest.fixture
async def world(client, officer):
    pools = [await make_pool(name="Common pool one"), await make_pool(name="Common pool two")]
    alfa = await _organisation(client, officer, "ALFA", "+7 701 111 11 11", pools)
    bravo = await _organisation(client, officer, "BRAVO", "+7 702 222 22 22", pools)
    roles = {
        "inspector": await make_caller(client, Role.INSPECTOR),
        "partner": await make_caller(client, Role.PARTNER),
        "anonymous": Caller(client=client, token="", user_id=0),
    }
    return alfa, bravo, roles


def _leaks(response: dict, markers: list[str]) -> list[str]:
    text = json.dumps(response, ensure_ascii=False)
    return [m for m in markers if m and m in text]


# --- queries ----------------------------------------------------------------------------------

# Root field -> its required arguments, for a caller of `org` (its own records).
ROOT_ARGS: dict[str, Any] = {
    "node": lambda org: {"id": org.ids("Miner")[0]},
    "nodes": lambda org: {"ids": [i for t in org.rows if t in OWNED for i in org.ids(t)]},  # Node types
    "application": lambda org: {"id": org.ids("Application")[0]},
    "refusalGrounds": lambda org: {"procedure": "LICENSE_ISSUE", "on": "2025-06-02"},
    "licenseRequirements": lambda org: {"subtype": "II", "on": "2025-06-02"},
    "feeQuote": lambda org: {"procedure": "LICENSE_ISSUE", "on": "2025-06-02", "subtype": "I"},
    "license": lambda org: {"number": org.license_number},
    "currentPoolMembership": lambda org: {"minerId": org.ids("Miner")[0]},
    "calendarDays": lambda org: {"start": "2025-03-01", "end": "2025-03-31"},
    "registrationDate": lambda org: {"receivedAt": RECEIVED},
    "termDue": lambda org: {"start": "2025-03-19", "workingDays": 15},
    "calendarOverrides": lambda org: {"year": 2025},
    "validateBinIin": lambda org: {"value": org.miner.bin_iin},
    "asicUnit": lambda org: {"serial": org.serial},
    "asicCapacity": lambda org: {"overOnly": False},
    "asicTotals": lambda org: {"groupBy": "MINER"},
    "accreditedPools": lambda org: {"on": "2025-06-02"},
    "poolCertificate": lambda org: {"number": "KZ-PL-2025-99999"},
    "documents": lambda org: {"entity": org.ids("License")[0]},
}
# Root arguments that name one organisation's record without an ID type -> the record's value.
NAMING_ARGS = {
    ("license", "number"): lambda org: org.license_number,
    ("asicUnit", "serial"): lambda org: org.serial,
    ("validateBinIin", "value"): lambda org: org.miner.bin_iin,
    ("applications", "binIin"): lambda org: org.miner.bin_iin,
    ("applications", "number"): lambda org: org.incoming_number,
    ("miners", "binIin"): lambda org: org.miner.bin_iin,
    ("miners", "name"): lambda org: org.tag,
    ("dataCenters", "name"): lambda org: org.tag,
}
# Which type an ID argument of a root field names (by argument name).
ID_ARG_TYPES = {"id": "Miner", "minerId": "Miner", "holderId": "Miner", "applicationId": "Application",
                "entity": "Miner", "dataCenterId": "DataCenter", "ids": "Miner", "user": "User",
                "miners": "Miner", "pools": "Pool"}
_UNREGISTERED_BIN = new_bin()
MISSING_VALUES = {"number": "LIC-2000-999999", "serial": "NO-SUCH-SERIAL", "value": _UNREGISTERED_BIN,
                  "binIin": _UNREGISTERED_BIN, "name": "NO SUCH NAME"}


def _queries(org: Org) -> list[tuple[str, str, dict[str, Any]]]:
    """(root field, query, variables): every root field of the schema, with everything under it."""
    out = []
    for name, f in SCHEMA.query_type.fields.items():
        args = ROOT_ARGS[name](org) if name in ROOT_ARGS else {}
        missing = set(required_args(f)) - set(args)
        assert not missing, f"add Query.{name} to ROOT_ARGS ({sorted(missing)})"
        query, _ = root_query(SCHEMA, name, args)
        out.append((name, query, args))
    return out


def _naming_variants(org: Org, other: Org) -> list[tuple[str, str, dict, dict]]:
    """(field, query, the other's record, a missing one) for every argument naming a record."""
    out = []
    for name, f in SCHEMA.query_type.fields.items():
        base = ROOT_ARGS[name](org) if name in ROOT_ARGS else {}
        for arg, a in f.args.items():
            if get_named_type(a.type).name == "ID":
                kind = ID_ARG_TYPES[arg]
                if kind in PUBLIC_REFERENCES:  # the register's records: anybody's to name
                    continue
                theirs = {"ids": [other.ids(kind)[0]]} if arg == "ids" else {arg: other.ids(kind)[0]}
                none = {"ids": [gid(kind, MISSING_PK)]} if arg == "ids" else {arg: gid(kind, MISSING_PK)}
            elif (name, arg) in NAMING_ARGS:
                theirs, none = {arg: NAMING_ARGS[(name, arg)](other)}, {arg: MISSING_VALUES[arg]}
            else:
                continue
            query, _ = root_query(SCHEMA, name, {**base, **theirs})
            out.append((f"{name}({arg})", query, {**base, **theirs}, {**base, **none}))
    return out


def _coverage() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(the fields a read or a mutation payload selects, every field that must be selected)."""
    covered: set[tuple[str, str]] = set()
    for name, f in SCHEMA.query_type.fields.items():
        covered |= root_query(SCHEMA, name, dict.fromkeys(required_args(f)))[1].covered
    must = object_fields(SCHEMA)
    for f in SCHEMA.mutation_type.fields.values():
        payload = get_named_type(f.type)
        for field_name, pf in payload.fields.items():
            inner = get_named_type(pf.type)
            if isinstance(inner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
                must.add((payload.name, field_name))
                if field_name != "errors":
                    covered.add((payload.name, field_name))  # mutation_text selects it
        covered.add((payload.name, "errors"))
    return covered, must


def test_the_matrix_covers_every_query_mutation_and_nested_field():
    covered, must = _coverage()
    assert must - covered == set(), "fields no generated query selects: make authz_matrix reach them"
    nodes = {t.name for t in SCHEMA.get_possible_types(SCHEMA.get_type("Node"))}
    assert nodes == set(OWNED) | UNOWNED_NODES, "classify every node type in OWNED or UNOWNED_NODES"
    assert set(SCHEMA.mutation_type.fields) == set(MUTATIONS), "add every mutation to MUTATIONS"


async def test_authorization_matrix(world):
    alfa, bravo, roles = world
    checks = 0
    for me, other in ((alfa, bravo), (bravo, alfa)):
        seen_own = set()
        for name, query, variables in _queries(me):
            result = await me.caller.gql(query, variables)
            assert "INTERNAL" not in errors_of(result), (name, result)
            assert _leaks(result, other.markers()) == [], f"{me.tag} reads {other.tag} through Query.{name}"
            seen_own |= set(_leaks(result, me.markers()))
            checks += 1
        # The check is not vacuous: the same queries show the organisation its own records.
        assert set(me.markers()) - seen_own == set(), f"{me.tag} never read these of its own"
        for name, query, theirs, none in _naming_variants(me, other):
            foreign, missing = await me.caller.gql(query, theirs), await me.caller.gql(query, none)
            assert foreign == missing, f"Query.{name}: {other.tag}'s record answers unlike a missing one"
            checks += 1
    checks += await _node_lookups(alfa, bravo, roles["partner"])
    checks += await _reads_of_other_roles(alfa, bravo, roles)
    checks += await _writes(alfa, bravo, roles)
    covered, _ = _coverage()
    print(f"\nauthorization matrix: {len(SCHEMA.query_type.fields)} queries, {len(SCHEMA.mutation_type.fields)} "
          f"mutations, {len(covered)} nested fields x 5 roles (2 applicants, inspector, partner, no token): "
          f"{checks} checks")


async def _node_lookups(alfa: Org, bravo: Org, partner: Caller) -> int:
    """node/nodes: another organisation's object is null exactly like a missing one."""
    checks = 0
    q1 = "query($id: ID!) { node(id: $id) { __typename id } }"
    qn = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
    for me, other in ((alfa, bravo), (bravo, alfa)):
        for type_name in OWNED:
            for theirs in other.ids(type_name):
                missing = gid(type_name, MISSING_PK)
                assert await me.caller.gql(q1, {"id": theirs}) == await me.caller.gql(q1, {"id": missing}) == {
                    "data": {"node": None}}, (me.tag, type_name)
                mixed = await me.caller.gql(qn, {"ids": [theirs, missing, me.ids(type_name)[0]]})
                assert mixed["data"]["nodes"][:2] == [None, None] and mixed["data"]["nodes"][2], (me.tag, type_name)
                checks += 2
    for type_name in ("Application", "Complaint", "NotificationObligation", "User", "Inspection"):  # not the partner's
        for org in (alfa, bravo):
            assert await partner.gql(q1, {"id": org.ids(type_name)[0]}) == {"data": {"node": None}}
            checks += 1
    return checks


async def _reads_of_other_roles(alfa: Org, bravo: Org, roles: dict[str, Caller]) -> int:
    """The inspector reads both organisations; the partner the public registry without contacts,
    applications, complaints or obligations; no token reads nothing."""
    checks = 0
    private_to_partner = [alfa.phone, bravo.phone, "office@alfa.kz", "office@bravo.kz"] + [
        i for org in (alfa, bravo) for t in ("Application", "Complaint", "NotificationObligation", "User", "Inspection")
        for i in org.ids(t)
    ]
    inspector_saw, partner_saw = set(), set()
    for name, query, variables in _queries(alfa):
        inspector = await roles["inspector"].gql(query, variables)
        partner = await roles["partner"].gql(query, variables)
        anonymous = await gql(roles["anonymous"].client, query, variables)
        assert "INTERNAL" not in errors_of(inspector) + errors_of(partner), name
        inspector_saw |= set(_leaks(inspector, [alfa.tag, bravo.tag, alfa.phone, bravo.phone]))
        partner_saw |= set(_leaks(partner, [alfa.tag, bravo.tag]))
        assert _leaks(partner, private_to_partner) == [], f"the partner reads private data through Query.{name}"
        assert errors_of(anonymous) == ["UNAUTHENTICATED"] and not _leaks(anonymous, alfa.markers()), name
        checks += 3
    assert inspector_saw == {alfa.tag, bravo.tag, alfa.phone, bravo.phone}
    assert partner_saw == {alfa.tag, bravo.tag}
    return checks


# --- mutations --------------------------------------------------------------------------------

# Mutation -> its input without references, with valid values, so that a reference is checked
# and not refused for something else first; `_input` adds the caller's own records.
MUTATIONS: dict[str, Any] = {
    "createMiner": {"kind": "LE", "binIin": "061211600012", "name": "X", "legalAddress": "X",
                                "phone": "+7 701 000 00 01", "email": "x@x.kz"},
    "updateMiner": {"name": "Renamed"},
    "createDataCenter": {"name": "X", "address": "X", "region": "ABAI", "outsideResidentialZone": True,
                                     "powerSource": "OFF_GRID"},
    "updateDataCenter": {"name": "Renamed"},
    "createPool": {"bin": "980440000016", "name": "P", "legalAddress": "X"},
    "updatePool": {"name": "Renamed"},
    "acceptApplication": {},
    "refuseIncomplete": {"text": "X"},
    "preliminaryRefuse": {"grounds": ["NON_COMPLIANCE"], "text": "X"},
    "scheduleHearing": {"noticeSentOn": "2025-04-08", "hearingOn": "2025-04-10", "hearingTime": "10:30", "place": "X"},
    "approveApplication": {},
    "refuseApplication": {"grounds": ["NON_COMPLIANCE"], "text": "X"},
    "withdrawApplication": {},
    "assignApplication": {},
    "applyForLicense": {"subtype": "II", "confirmations": lf.ALL_CONFIRMED, "documents": lf.SUBTYPE_II_DOCS},
    "applyForLicenseReissue": {"grounds": ["REREGISTRATION"]},
    "recordPayment": {"reference": "PAY-1", "paidOn": "2025-06-02", "amount": "10000000"},
    "suspendLicense": {"ground": "X", "until": "2030-01-01"},
    "resumeLicense": {"ground": "X"},
    "revokeLicense": {"ground": "X"},
    "setMrpRate": {"year": 2031, "tenge": "5000"},
    "setMinerPool": {"since": "2025-06-03"},
    "poolAccreditationLapsed": {"on": "2025-06-03"},
    "notifyPoolChange": {"text": "We mine through another pool."},
    "fileComplaint": {"reviewer": "PROVIDER", "text": "X"},
    "grantComplaintInFull": {"text": "X"},
    "forwardComplaint": {},
    "decideComplaint": {"outcome": "REJECTED", "text": "X"},
    "createUser": {"login": "matrix-user", "fullName": "X", "role": "APPLICANT"},
    "issueToken": {"label": "X"},
    "setCalendarOverride": {"day": "2031-01-02", "working": False, "decree": "X"},
    "removeCalendarOverride": {"day": "2031-01-02"},
    "applyForAsicInclusion": {"declaredQuantity": 1, "units": [rf.unit(1, "MATRIX-SN-1")],
                                          "tnvedCode": rf.TNVED, "ownershipDocument": "X", "personalDataConsent": True},
    "applyForAsicExclusion": {"reason": "SALE", "reasonDocument": "X", "serials": [],
                                          "personalDataConsent": True},
    "applyForAsicChange": {"changeDate": "2025-06-02", "reason": "X", "serials": [], "changes": {"condition": "FAULTY"}},
    "applyForPoolAccreditation": {"complexes": [], "documentsTrue": True, "personalDataConsent": True},
    "applyForPoolReissue": {"reason": "X"},
    "fileIncomeReport": {"year": 2025, "month": 3, "nil": True},
    "revokeToken": {},
    "setOrderPublication": {"order": "ORDER_169", "publishedOn": "2023-05-05", "source": "X"},
    "appointInspection": {"actNumber": "X", "actDate": "2025-03-10", "kind": "SCHEDULED", "plannedFrom": "2025-03-18",
                          "plannedTo": "2025-03-18"},
    "openInspection": {},
    "recordChecklistFinding": {"code": "M1_LICENSE", "finding": "COMPLIES"},
    "reconcileSerials": {"serials": ["MATRIX-SN-1"]},
    "completeInspection": {"representative": {"position": "X", "name": "X"}, "officials": [{"position": "X", "name": "X"}]},
    "setRemedyDeadline": {"code": "M1_LICENSE", "workingDays": 5},
    "markViolationRemedied": {"code": "M1_LICENSE", "remediedOn": "2025-03-20", "comment": "X"},
    "attachInspectionPhoto": {"code": "M1_LICENSE", "file": None},  # JSON: no upload, refused before any read
    "regenerateDocument": {},
    "registerWebhookEndpoint": {"url": "https://hooks.example.kz/", "eventTypes": []},
    "removeWebhookEndpoint": {},
    "redeliverWebhook": {},
    "replayWebhooks": {},
    "resetWebhookCircuit": {},
    "markNotificationsRead": {},
    "acknowledgeEscalation": {},
    "resolveEscalation": {},
    "setUserPreferences": {"language": "KK"},
}
# An `ID` input field -> the type of record it names: by the mutation (`id`), else by its name.
ID_FIELD_TYPES = {"minerId": "Miner", "dataCenterId": "DataCenter", "dataCenterIds": "DataCenter",
                  "applicationId": "Application", "licenseId": "License", "poolId": "Pool", "userId": "User",
                  "assigneeId": "User", "unitIds": "AsicUnit", "obligationId": "NotificationObligation",
                  "changes.dataCenterId": "DataCenter", "certificateId": "PoolCertificate",
                  "appendixId": "LicenseAppendix", "inspectionId": "Inspection", "inspectorIds": "User",
                  "endpointId": "WebhookEndpoint", "deliveryId": "WebhookDelivery", "notificationIds": "Notification",
                  "escalationId": "Escalation"}
ID_OF_MUTATION = {"revokeToken": "ApiToken", "updateMiner": "Miner", "updateDataCenter": "DataCenter", "updatePool": "Pool",
                  "suspendLicense": "License", "resumeLicense": "License", "revokeLicense": "License",
                  "grantComplaintInFull": "Complaint", "forwardComplaint": "Complaint", "decideComplaint": "Complaint",
                  "regenerateDocument": "Document"}
# What a reference of each type may point to in another organisation: its records, except a data
# center, where the other's PRIVATE one (a licensed one may be named as a subtype-II host).
PUBLIC_REFERENCES = {"Pool", "PoolCertificate"}


def _kind_of(mutation: str, path: str) -> str:
    kind = ID_OF_MUTATION.get(mutation) if path == "id" else ID_FIELD_TYPES.get(path)
    assert kind, f"add {mutation}.{path} to ID_FIELD_TYPES or ID_OF_MUTATION"
    return kind


def _own_id(org: Org, kind: str, public: dict[str, list[int]]) -> str:
    if kind in public:  # the register's records: nobody's own, everybody's to name
        return gid(kind, public[kind][0])
    if kind == "DataCenter":
        return gid("DataCenter", org.licensed_dc.id)
    return org.ids(kind)[0]


def _foreign_id(org: Org, kind: str) -> str:
    return gid("DataCenter", org.private_dc.id) if kind == "DataCenter" else org.ids(kind)[0]


def _references(mutation: str) -> list[IdField]:
    f = SCHEMA.mutation_type.fields[mutation]
    return id_fields(SCHEMA, get_named_type(f.args["input"].type).name)


def _input(org: Org, mutation: str, public: dict[str, list[int]]) -> dict[str, Any]:
    """The mutation's input from MUTATIONS, with the organisation's own record in every required
    reference (optional ones are set only in their own variant)."""
    data = MUTATIONS[mutation]
    for ref in _references(mutation):
        if ref.required:
            own = _own_id(org, _kind_of(mutation, ref.path), public)
            data = set_path(data, ref.path, [own] if ref.is_list else own)
    return data


async def _fingerprint() -> str:
    """Every row of every table (tokens without their last-use time)."""
    digest = hashlib.sha256()
    for model in sorted(Tortoise.apps["models"].values(), key=lambda m: m.__name__):
        rows = await model.all().order_by(model._meta.pk_attr).values()
        for row in rows:
            row.pop("last_used_at", None)
        digest.update(f"{model.__name__}:{rows!r}".encode())
    return digest.hexdigest()


async def _writes(alfa: Org, bravo: Org, roles: dict[str, Caller]) -> int:
    """Every mutation, every reference in it: the other organisation's record answers exactly
    like a missing one and writes nothing; the inspector, the partner and no token write nothing."""
    pools = {"Pool": sorted(await Pool.all().values_list("id", flat=True)),
             "PoolCertificate": sorted(await PoolCertificate.all().values_list("id", flat=True))}
    checks, before = 0, await _fingerprint()
    for mutation in SCHEMA.mutation_type.fields:
        text = mutation_text(SCHEMA, mutation)
        for me, other in ((alfa, bravo), (bravo, alfa)):
            base = _input(me, mutation, pools)
            if not _references(mutation):  # officers' and administrators' own business
                refused = await me.caller.gql(text, {"i": base})
                assert errors_of(refused) and await _fingerprint() == before, f"{me.tag}: {mutation}"
                checks += 1
            for ref in _references(mutation):
                kind = _kind_of(mutation, ref.path)
                if kind in PUBLIC_REFERENCES:
                    continue
                theirs, none = _foreign_id(other, kind), gid(kind, MISSING_PK)
                variants = [set_path(base, ref.path, [i] if ref.is_list else i) for i in (theirs, none)]
                foreign, missing = [
                    json.loads(json.dumps(await me.caller.gql(text, {"i": v})).replace(sent, "<id>"))
                    for v, sent in zip(variants, (theirs, none), strict=True)
                ]
                assert _leaks(foreign, other.markers()) == [], f"{me.tag}: {mutation}.{ref.path} reads {other.tag}"
                assert foreign == missing, f"{me.tag}: {mutation}.{ref.path} tells {other.tag}'s record from a missing one"
                assert errors_of(foreign), f"{me.tag}: {mutation}.{ref.path} accepted {other.tag}'s record"
                assert await _fingerprint() == before, f"{me.tag}: {mutation}.{ref.path} wrote"
                checks += 1
        for role in ("inspector", "partner", "anonymous"):
            caller = roles[role]
            result = await gql(caller.client, text, {"i": _input(alfa, mutation, pools)}, token=caller.token or None)
            codes = errors_of(result)
            assert codes and "INTERNAL" not in codes, (role, mutation, result)
            if role == "anonymous":
                assert codes == ["UNAUTHENTICATED"], (mutation, result)
            assert await _fingerprint() == before, f"{role}: {mutation} wrote"
            checks += 1
    return checks


# --- issue 10 item 1: a subtype-II host is named, not read ---------------------------------------


async def test_issue10_1_subtype_ii_applicant_names_a_licensed_host_but_reads_only_its_address(world):
    alfa, bravo, _ = world
    named = await lf.filed(bravo.caller, lf.license_input(bravo.miner, [alfa.licensed_dc], subtype="II"))
    read = await bravo.caller.gql(
        """query($id: ID!) { application(id: $id) { licenseDetails { dataCenterAddresses
             dataCenters { name address miner { binIin phone email legalAddress } } } } }""",
        {"id": named["id"]},
    )
    details = read["data"]["application"]["licenseDetails"]
    # What App.2 states (where the units are placed), nothing of the host's record or contacts.
    assert details == {"dataCenterAddresses": [alfa.licensed_dc.address], "dataCenters": []}
    host = await bravo.caller.gql("query($id: ID!) { node(id: $id) { id } }",
                                  {"id": gid("DataCenter", alfa.licensed_dc.id)})
    assert host == {"data": {"node": None}}
    # Another holder's serial is refused without naming the holder (who the caller may not read).
    taken = rf.inclusion_input(bravo.miner, bravo.licensed_dc, [rf.unit(3, alfa.serial)])
    [refused] = (await rf.include(bravo.caller, taken))["data"]["applyForAsicInclusion"]["errors"]
    assert refused["code"] == "SERIAL_ALREADY_REGISTERED" and refused["holderName"] is refused["holderBinIin"] is None
    # Naming the host for units needs the subtype-II appendix: until then it is not usable.
    units = rf.inclusion_input(bravo.miner, alfa.licensed_dc, [rf.unit(2, "BRAVO-SN-0002")])
    assert errors_of(await rf.include(bravo.caller, units)) == ["DATA_CENTER_NOT_USABLE"]


async def test_issue10_1_a_data_center_on_no_licence_cannot_be_named_and_its_existence_is_not_disclosed(world):
    alfa, bravo, _ = world
    before = await Application.filter(miner_id=bravo.miner.id).count()
    answers = [
        await lf.apply(bravo.caller, lf.license_input(bravo.miner, [dc], subtype="II"))
        for dc in (alfa.private_dc, DataCenter(id=MISSING_PK))
    ]
    assert answers[0] == answers[1] and errors_of(answers[0]) == ["NOT_FOUND"]
    assert await Application.filter(miner_id=bravo.miner.id).count() == before
