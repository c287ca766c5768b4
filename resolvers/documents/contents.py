"""What each document prints, read from its entity: `(number, date, holder, fields)` per kind.
The fields are the template's variables (templates/<document>.<kk|ru>.html)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.applications import Application
from models.licensing import License, LicenseAppendix
from models.pools import PoolCertificate
from models.registry import AsicUnit
from rules.calendar import ALMATY
from rules.documents import DocumentKind
from rules.grounds import ground_of
from settings import Licensor

__all__ = ["CONTENTS", "Contents"]


@dataclass(frozen=True)
class Contents:
    number: str
    issued_on: date
    holder: str
    fields: dict[str, Any]
    owner_miner_id: int | None = None
    owner_pool_id: int | None = None


def _authority() -> dict[str, str]:
    licensor = Licensor.from_env()
    return {"authority_ru": licensor.name_ru, "authority_kk": licensor.name_kk,
            "signer_position": licensor.signer_position, "signer_name": licensor.signer_name}


def _roman(subtype: Any) -> str:
    """The subtype as the forms write it, in Cyrillic numerals (І, ІІ)."""
    return "ІІ" if str(getattr(subtype, "value", subtype)) == "II" else "І"


# The subtypes and the ways of buying electricity as 001 App.6/7 state them. ru: the seed's words;
# kk: our rendering of the same sentences (the seeds hold 001 in Russian only; replace it with the
# official Kazakh edition of order 169/НҚ when it is at hand).
_SUBTYPE_RU = {
    "І": "І подвид – осуществление деятельности по цифровому майнингу цифровым майнером, имеющим на праве "
         "собственности или других законных основаниях центр обработки данных цифрового майнинга",
    "ІІ": "ІІ подвид – осуществление деятельности по цифровому майнингу цифровым майнером, не имеющим на праве "
          "собственности или других законных основаниях центр обработки данных цифрового майнинга и "
          "осуществляющим цифровой майнинг с использованием принадлежащего ему на праве собственности "
          "аппаратно-программного комплекса для цифрового майнинга, размещенного в центре обработки данных "
          "цифрового майнинга",
}
_SUBTYPE_KK = {
    "І": "І кіші түр – цифрлық майнингтің деректерді өңдеу орталығы меншік құқығында немесе өзге де заңды "
         "негіздерде бар цифрлық майнердің цифрлық майнинг жөніндегі қызметті жүзеге асыруы",
    "ІІ": "ІІ кіші түр – цифрлық майнингтің деректерді өңдеу орталығы меншік құқығында немесе өзге де заңды "
          "негіздерде жоқ және цифрлық майнингтің деректерді өңдеу орталығында орналастырылған, өзіне меншік "
          "құқығында тиесілі цифрлық майнингке арналған аппараттық-бағдарламалық кешенді пайдалана отырып "
          "цифрлық майнингті жүзеге асыратын цифрлық майнердің цифрлық майнинг жөніндегі қызметті жүзеге асыруы",
}
_ELECTRICITY = {  # value: (ru, kk)
    "SINGLE_BUYER": ("у единого закупщика на централизованных торгах электрической энергией",
                     "электр энергиясының орталықтандырылған сауда-саттығында бірыңғай сатып алушыдан"),
    "OFF_GRID_GENERATOR": ("у энергопроизводящих организаций, генерирующие установки которых не подключены к "
                           "единой электроэнергетической системе Республики Казахстан",
                           "генерациялайтын қондырғылары Қазақстан Республикасының бірыңғай электр энергетикалық "
                           "жүйесіне қосылмаған энергия өндіруші ұйымдардан"),
}


def _party(party: Any) -> dict[str, str]:
    """The addressee as the forms print it: name, legal address, BIN/IIN (001 App.4/5, App.8)."""
    return {"holder_address": getattr(party, "legal_address", "") or "", "holder_bin": getattr(party, "bin_iin", "") or ""}


async def _licence(license_id: int) -> Contents:
    lic = await License.get(id=license_id).prefetch_related("holder")
    return Contents(lic.number, lic.issued_on, lic.holder.name, {
        **_authority(), "holder": lic.holder.name, **_party(lic.holder), "subtype_roman": _roman(lic.subtype),
        "issued_on": lic.issued_on.isoformat(), "first_issued_on": lic.first_issued_on.isoformat(),
        "valid_until": lic.valid_until.isoformat(), "place_of_issue": lic.place_of_issue,
        "special_conditions": lic.special_conditions, "licensor_ru": lic.licensor_ru,
        "licensor_kk": lic.licensor_kk, "signer_position": lic.signer_position, "signer_name": lic.signer_name,
    }, owner_miner_id=lic.holder_id)  # type: ignore[attr-defined]


def _owners(app: Application) -> dict[str, int | None]:
    return {"owner_miner_id": app.miner_id, "owner_pool_id": app.pool_id}  # type: ignore[attr-defined]


async def _appendix(appendix_id: int) -> Contents:
    appendix = await LicenseAppendix.get(id=appendix_id).prefetch_related("license", "data_center")
    lic, dc = appendix.license, appendix.data_center
    roman = _roman(appendix.subtype)
    electricity = _ELECTRICITY.get(getattr(appendix.electricity_purchase, "value", appendix.electricity_purchase) or "",
                                   ("", ""))
    # Only App.6 (subtype I, its own data center) has the data center and electricity rows; App.7
    # (subtype II, hosted) has neither.
    own_dc = dc if roman == "І" else None
    if own_dc is None:
        electricity = ("", "")
    return Contents(appendix.number, appendix.issued_on, await _holder_name(lic), {
        "subtype_roman": roman, "subtype_text_ru": _SUBTYPE_RU[roman], "subtype_text_kk": _SUBTYPE_KK[roman],
        "license_number": lic.number,
        "license_issued_on": lic.issued_on.isoformat(), "licensor_ru": appendix.licensor_ru,
        "licensor_kk": appendix.licensor_kk, "data_center": own_dc.address if own_dc else "",
        "electricity_ru": electricity[0], "electricity_kk": electricity[1],
        "special_conditions": appendix.special_conditions, "valid_until": appendix.valid_until.isoformat(),
        "issued_on": appendix.issued_on.isoformat(), "signer_position": appendix.signer_position,
        "signer_name": appendix.signer_name,
    }, owner_miner_id=lic.holder_id)  # type: ignore[attr-defined]


async def _holder_name(lic: License) -> str:
    return (await lic.holder).name


async def _application(application_id: int) -> tuple[Application, str, dict[str, Any]]:
    app = await Application.get(id=application_id).prefetch_related("miner", "pool")
    party = app.miner or app.pool  # type: ignore[attr-defined]
    holder = party.name if party else ""
    fields = {**_authority(), "holder": holder, **_party(party), "incoming_number": app.incoming_number or "",
              "applied_on": (app.registered_on or app.received_at.date()).isoformat()}
    return app, holder, fields


async def _refusal(application_id: int) -> Contents:
    app, holder, fields = await _application(application_id)
    if not app.refusal_number or not app.refused_on:
        raise ValueError(f"application {application_id} has no motivated refusal")
    grounds = [g for code in app.refusal_grounds if (g := ground_of(app.procedure, code)) is not None]
    return Contents(app.refusal_number, app.refused_on, holder,
                    {**fields, "grounds": grounds, "reasons": app.refusal_text or ""}, **_owners(app))


async def _hearing_notice(application_id: int) -> Contents:
    app, holder, fields = await _application(application_id)
    if not app.hearing_on or not app.hearing_notice_sent_on:
        raise ValueError(f"application {application_id} has no hearing scheduled")
    number = f"{app.incoming_number or app.id}-H"
    return Contents(number, app.hearing_notice_sent_on, holder, {
        **fields, "hearing_on": app.hearing_on.isoformat(), "place": app.hearing_place or "",
        "hearing_time": app.hearing_time or "",
        # Objections are heard up to the hearing itself (001 §10).
        "objections_until": app.hearing_on.isoformat(),
    }, **_owners(app))


async def _pool_certificate(certificate_id: int) -> Contents:
    cert = await PoolCertificate.get(id=certificate_id).prefetch_related("pool")
    return Contents(cert.number, cert.issued_on, cert.pool_name, {
        **_authority(), "holder": cert.pool_name, "holder_address": cert.pool.legal_address,
        "server_locations": cert.server_locations, "valid_until": cert.valid_until.isoformat(),
    }, owner_pool_id=cert.pool_id)  # type: ignore[attr-defined]


UNITS_PRINTED = 500  # a notice lists at most this many units; the registry holds them all


async def _registry_notice(application_id: int, link: str, suffix: str) -> Contents:
    app, holder, fields = await _application(application_id)
    if app.decided_at is None:
        raise ValueError(f"application {application_id} is not decided")
    units = AsicUnit.filter(**{link: application_id}).order_by("record_number")
    total = await units.count()
    rows = await units.limit(UNITS_PRINTED).values("model", "serial", "tnved_code")
    miner = app.miner  # type: ignore[attr-defined]
    return Contents(f"{app.incoming_number or app.id}-{suffix}", app.decided_at.astimezone(ALMATY).date(), holder, {
        **fields, "holder_bin": miner.bin_iin if miner else "", "units_total": total,
        "units": [{"model": r["model"], "serial": r["serial"], "hs_code": r["tnved_code"]} for r in rows],
    }, **_owners(app))


async def _inclusion_notice(application_id: int) -> Contents:
    return await _registry_notice(application_id, "inclusion_application_id", "INC")


async def _exclusion_notice(application_id: int) -> Contents:
    return await _registry_notice(application_id, "exclusion_application_id", "EXC")


_FINDINGS = {
    "kk": {"COMPLIES": "талаптарға сәйкес келеді", "DOES_NOT_COMPLY": "талаптарға сәйкес келмейді",
           "NOT_APPLICABLE": "қолданылмайды", "NOT_KNOWN": "белгісіз"},
    "ru": {"COMPLIES": "соответствует требованиям", "DOES_NOT_COMPLY": "не соответствует требованиям",
           "NOT_APPLICABLE": "не применяется", "NOT_KNOWN": "не установлено"},
}


async def _inspection_act(inspection_id: int) -> Contents:
    """003: each checklist item with its finding on site (the inspector's, else the system's),
    the subject's representative and the officials."""
    from models.inspections import Inspection, InspectionItem
    from rules.checklists import checklist_for

    inspection = await Inspection.get(id=inspection_id).prefetch_related("miner", "pool")
    if inspection.completed_at is None:
        raise ValueError(f"inspection {inspection_id} is not completed")
    subject = inspection.miner or inspection.pool
    checklist = {item.code.value: item for item in checklist_for(inspection.subject_kind, inspection.act_date).items}
    rows = await InspectionItem.filter(inspection_id=inspection_id).order_by("number")
    items = []
    for row in rows:
        rule = checklist.get(row.code)
        finding = (row.inspector_finding or row.system_finding).value
        items.append({"number": row.number, "text_kk": rule.text_kk if rule else row.code,
                      "text_ru": rule.text_ru if rule else row.code, "finding": finding,
                      "finding_kk": _FINDINGS["kk"][finding], "finding_ru": _FINDINGS["ru"][finding],
                      "comment": row.comment})
    bin_iin = getattr(subject, "bin_iin", None) or getattr(subject, "bin", "")
    return Contents(inspection.act_number, inspection.completed_at.astimezone(ALMATY).date(), subject.name, {
        **_authority(), "holder": subject.name, "act_date": inspection.act_date.isoformat(), "holder_bin": bin_iin,
        "holder_address": subject.legal_address, "items": items,
        "representative": f"{inspection.representative_position} {inspection.representative_name}".strip(),
        "officials": [f"{o.get('position', '')} {o.get('name', '')}".strip() for o in inspection.officials or []],
    }, owner_miner_id=inspection.miner_id, owner_pool_id=inspection.pool_id)  # type: ignore[attr-defined]


# kind -> (entity type, reader of its contents)
CONTENTS: dict[DocumentKind, tuple[str, Callable[[int], Awaitable[Contents]]]] = {
    DocumentKind.LICENCE: ("License", _licence),
    DocumentKind.APPENDIX: ("LicenseAppendix", _appendix),
    DocumentKind.REFUSAL: ("Application", _refusal),
    DocumentKind.HEARING_NOTICE: ("Application", _hearing_notice),
    DocumentKind.POOL_CERTIFICATE: ("PoolCertificate", _pool_certificate),
    DocumentKind.INCLUSION_NOTICE: ("Application", _inclusion_notice),
    DocumentKind.EXCLUSION_NOTICE: ("Application", _exclusion_notice),
    DocumentKind.INSPECTION_ACT: ("Inspection", _inspection_act),
}
