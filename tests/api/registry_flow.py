"""GraphQL steps of the ASIC registry procedures, shared by the registry tests."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from schema.ids import to_global_id
from tests.factories import Caller

TNVED = "8471410000"
EN_HEADER = ["No", "Model", "Serial number", "TN VED code", "Hashrate TH/s", "Power kW", "Customs declaration", "Condition"]
RU_HEADER = [
    "Порядковый номер",
    "Полное наименование аппаратно-программного комплекса марка, модель",
    "Индивидуальный серийный номер аппаратно-программного комплекса",
    "Код ТН ВЭД ЕАЭС",
    "Хэшрейт (ТН/s)",
    "Мощность (кВт)",
    "Номер грузовой таможенной декларации",
    "Состояние аппаратно-программного комплекса",
]
KK_HEADER = [
    "Реттік нөмірі",
    "Аппараттық-бағдарламалық кешеннің толық атауы маркасы, моделі",
    "Аппараттық-бағдарламалық кешеннің жеке сериялық нөмірі",
    "ЕАЭО СЭҚ ТН коды",
    "Хэшрейт (Th/s)",
    "Қуат (кВт)",
    "Кедендік жүк декларациясының нөмірі*",
    "Аппараттық-бағдарламалық кешеннің жай-күйі",
]

# The registry's errors with their own data, as a client selects them (per payload union).
_USER_ERROR = "__typename ... on UserError { code message path }"
INCLUSION_ERRORS = f"""errors {{ {_USER_ERROR}
  ... on UnitListRejected {{ issues {{ line column code severity message }} }}
  ... on SerialAlreadyRegistered {{ serial line recordNumber holderName holderBinIin }} }}"""
TARGET_ERRORS = f"errors {{ {_USER_ERROR} ... on UnitNotInRegistry {{ serials unitIds }} }}"

APP_FIELDS = """id stage incomingNumber registeredOn completenessDueAt completenessDueOn decisionDueAt decisionDueOn
  hearingNoticeDueOn allowedActions completenessProblems { code path }
  registryDetails { declaredQuantity lineCount totalPowerKw totalHashrateThs unitListFormat unitListFile
    changeDate changeLate changeNoticeDueOn changeNoticeDueAt changeReason changes { field old new }
    exclusionReason reasonDocument contactPhone contactEmail warnings { line column code severity }
    capacity { permittedKw registeredKw requestedKw totalKw overCapacity wouldExceed } }"""

INCLUDE = f"""mutation($i: ApplyForAsicInclusionInput!) {{
  applyForAsicInclusion(input: $i) {{ application {{ {APP_FIELDS} }} {INCLUSION_ERRORS} }} }}"""

EXCLUDE = f"""mutation($i: ApplyForAsicExclusionInput!) {{
  applyForAsicExclusion(input: $i) {{ application {{ {APP_FIELDS} }} {TARGET_ERRORS} }} }}"""

CHANGE = f"""mutation($i: ApplyForAsicChangeInput!) {{
  applyForAsicChange(input: $i) {{ application {{ {APP_FIELDS} }} {TARGET_ERRORS} }} }}"""

UNIT_FIELDS = """id recordNumber recordDate minerName minerBinIin minerLegalAddress minerPhone minerEmail
  dataCenterLocation region model serial tnvedCode hashrateThs powerKw customsDeclaration
  customsQuantity ownershipDocument condition status excludedOn exclusionReason efficiencyJPerTh
  history { totalCount edges { node { action actorLabel reason changes { field old new } application { id } } } }"""


def gid(type_name: str, pk: int) -> str:
    return str(to_global_id(type_name, pk))


def unit(n: int, serial: str | None = None, **over: Any) -> dict[str, Any]:
    """One good App.3 line (S19 Pro: 110 TH/s, 3.25 kW = 29.5 J/TH)."""
    return {
        "model": "Antminer S19 Pro",
        "serial": serial or f"SN{n:06d}",
        "tnvedCode": TNVED,
        "hashrateThs": "110",
        "powerKw": "3.25",
        "customsDeclaration": "50401/010123/0001234",
        "condition": "WORKING",
        **over,
    }


def inclusion_input(miner, dc, units: list[dict] | None = None, *, received_at: str | None = None, **extra: Any) -> dict:
    data: dict[str, Any] = {
        "minerId": gid("Miner", miner.id),
        "dataCenterId": gid("DataCenter", dc.id),
        "declaredQuantity": len(units) if units is not None else 1,
        "tnvedCode": TNVED,
        "ownershipDocument": "Договор купли-продажи № 12 от 10.01.2025",
        "personalDataConsent": True,
        **extra,
    }
    if units is not None:
        data["units"] = units
    if received_at:
        data["channel"] = "OFFICE"
        data["receivedAt"] = received_at
    return data


async def include(caller: Caller, data: dict) -> dict:
    return await caller.gql(INCLUDE, {"i": data})


async def include_file(
    caller: Caller, data: dict, content: bytes, filename: str = "units.csv", content_type: str = "text/csv"
) -> dict:
    """The GraphQL multipart request spec: operations + map + the file part, the file inside the input."""
    operations = json.dumps({"query": INCLUDE, "variables": {"i": {**data, "file": None}}})
    response = await caller.client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.i.file"]})},
        files={"0": (filename, content, content_type)},
        headers={"Authorization": f"Bearer {caller.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def payload_of(result: dict, mutation: str = "applyForAsicInclusion") -> dict:
    assert "errors" not in result, result
    return result["data"][mutation]


def filed(result: dict, mutation: str = "applyForAsicInclusion") -> dict:
    """The application a filing returned (the filing must have succeeded)."""
    payload = payload_of(result, mutation)
    assert payload["errors"] == [], payload["errors"]
    return payload["application"]


def issues_of(result: dict) -> list[dict]:
    """The issues of the one UnitListRejected error of an inclusion that was refused."""
    payload = payload_of(result)
    assert payload["application"] is None
    [error] = payload["errors"]
    assert error["__typename"] == "UnitListRejected" and error["code"] == "UNIT_LIST_INVALID", error
    return error["issues"]


def csv_bytes(header: list[str], rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def csv_row(n: int, serial: str | None = None, **over: Any) -> list[Any]:
    u = unit(n, serial)
    u.update(over)
    return [n, u["model"], u["serial"], u["tnvedCode"], u["hashrateThs"], u["powerKw"], u["customsDeclaration"], "исправное" if u["condition"] == "WORKING" else "неисправное"]


def exclusion_input(miner, *, unit_ids=(), serials=(), reason="SALE", document="Договор купли-продажи № 7", received_at=None) -> dict:
    data: dict[str, Any] = {
        "minerId": gid("Miner", miner.id),
        "reason": reason,
        "reasonDocument": document,
        "unitIds": list(unit_ids),
        "serials": list(serials),
        "personalDataConsent": True,
    }
    if received_at:
        data["channel"] = "OFFICE"
        data["receivedAt"] = received_at
    return data


def change_input(miner, change_date: str, changes: dict, *, serials=(), unit_ids=(), received_at=None, reason="Перенос оборудования", **extra) -> dict:
    data: dict[str, Any] = {
        "minerId": gid("Miner", miner.id),
        "changeDate": change_date,
        "reason": reason,
        "changes": changes,
        "serials": list(serials),
        "unitIds": list(unit_ids),
        **extra,
    }
    if received_at:
        data["channel"] = "OFFICE"
        data["receivedAt"] = received_at
    return data


_STEP_TYPES = {
    "acceptApplication": "AcceptApplicationInput",
    "refuseIncomplete": "RefuseIncompleteInput",
    "preliminaryRefuse": "PreliminaryRefuseInput",
    "scheduleHearing": "ScheduleHearingInput",
    "approveApplication": "ApproveApplicationInput",
    "refuseApplication": "RefuseApplicationInput",
}
_STEP_ERRORS = {
    "approveApplication": "... on SerialAlreadyRegistered { serial line recordNumber holderName holderBinIin } "
    "... on UnitNotInRegistry { serials unitIds }",
    "scheduleHearing": "... on HearingNoticeTooLate { lastDay }",
}


async def step(caller: Caller, mutation: str, app_id: str, **args: Any) -> dict:
    """One engine mutation by name, with the application and `args` as its input."""
    typed = _STEP_ERRORS.get(mutation, "")
    query = (
        f"mutation($i: {_STEP_TYPES[mutation]}!) {{ {mutation}(input: $i) {{ "
        f"application {{ id stage refusalGrounds {{ code }} allowedActions }} "
        f"errors {{ __typename ... on UserError {{ code message path }} {typed} }} }} }}"
    )
    return await caller.gql(query, {"i": {"applicationId": app_id, **args}})


def ok(result: dict) -> bool:
    """No top-level error and no payload error."""
    if result.get("errors"):
        return False
    return all(not (v or {}).get("errors") for v in (result.get("data") or {}).values() if isinstance(v, dict))


async def approve(caller: Caller, app_id: str) -> dict:
    accepted = await step(caller, "acceptApplication", app_id)
    assert ok(accepted), accepted
    return await step(caller, "approveApplication", app_id)


async def by_serial(caller: Caller, serial: str) -> dict | None:
    result = await caller.gql(f"query($s: String!) {{ asicUnit(serial: $s) {{ {UNIT_FIELDS} }} }}", {"s": serial})
    assert "errors" not in result, result
    return result["data"]["asicUnit"]


def history(record: dict) -> list[dict]:
    return [e["node"] for e in record["history"]["edges"]]
