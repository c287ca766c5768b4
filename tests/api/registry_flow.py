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

APP_FIELDS = """id stage incomingNumber registeredOn completenessDue decisionDue hearingNoticeLastDay
  refusalGrounds allowedActions completenessProblems { code field }
  registryDetails { declaredQuantity lineCount totalPowerKw totalHashrateThs changeLate changeNoticeDue
    exclusionReason reasonDocument warnings { line column code severity }
    capacity { permittedKw registeredKw requestedKw totalKw overCapacity wouldExceed } }"""

INCLUDE = f"""mutation($i: ApplyForAsicInclusionInput!, $file: Upload) {{
  applyForAsicInclusion(input: $i, file: $file) {{ ok lineCount
    issues {{ line column code message severity }}
    application {{ {APP_FIELDS} }} }} }}"""

EXCLUDE = f"""mutation($i: ApplyForAsicExclusionInput!) {{
  applyForAsicExclusion(input: $i) {{ application {{ {APP_FIELDS} }} }} }}"""

CHANGE = f"""mutation($i: ApplyForAsicChangeInput!) {{
  applyForAsicChange(input: $i) {{ application {{ {APP_FIELDS} }} }} }}"""

UNIT_FIELDS = """id recordNumber recordDate minerName minerBinIin minerLegalAddress minerPhone minerEmail
  dataCenterLocation region model serial tnvedCode hashrateThs powerKw customsDeclaration
  customsQuantity ownershipDocument condition status excludedOn exclusionReason efficiencyJPerTh
  history { action actorLabel reason changes { field old new } }"""


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
        "minerId": to_global_id("Miner", miner.id),
        "dataCenterId": to_global_id("DataCenter", dc.id),
        "declaredQuantity": len(units) if units is not None else 0,
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
    """The GraphQL multipart request spec: operations + map + the file part."""
    operations = json.dumps({"query": INCLUDE, "variables": {"i": data, "file": None}})
    response = await caller.client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, content, content_type)},
        headers={"Authorization": f"Bearer {caller.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


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
        "minerId": to_global_id("Miner", miner.id),
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
        "minerId": to_global_id("Miner", miner.id),
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


async def step(caller: Caller, mutation: str, app_id: str, **args: Any) -> dict:
    types = {
        "grounds": "[String!]!", "text": "String!", "comment": "String", "noticeSentOn": "Date!",
        "hearingOn": "Date!", "place": "String!",
    }
    decl = "".join(f", ${k}: {types[k]}" for k in args)
    call = "".join(f", {k}: ${k}" for k in args)
    query = f"mutation($id: ID!{decl}) {{ {mutation}(id: $id{call}) {{ application {{ id stage refusalGrounds allowedActions }} }} }}"
    return await caller.gql(query, {"id": app_id, **args})


async def approve(caller: Caller, app_id: str) -> dict:
    assert "errors" not in (r := await step(caller, "acceptApplication", app_id)), r
    return await step(caller, "approveApplication", app_id)


async def by_serial(caller: Caller, serial: str) -> dict | None:
    result = await caller.gql(f"query($s: String!) {{ asicUnit(serial: $s) {{ {UNIT_FIELDS} }} }}", {"s": serial})
    assert "errors" not in result, result
    return result["data"]["asicUnit"]
