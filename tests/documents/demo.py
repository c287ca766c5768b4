"""Demo contents of every document kind (what resolvers/documents/contents.py reads from the
database), with a holder whose name holds all 18 Kazakh letters."""

from __future__ import annotations

from typing import Any

from resolvers.documents.render import qr_data_uri
from rules.documents import DocumentKind
from rules.grounds import LICENSING_GROUNDS

KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"
HOLDER = "ТОО «Әлем Ғарыш Қазақ Ңұр Өрнек Ұлы Үміт Һәм Іскер» (әғқңөұүһі)"
CODE = "ABCDEFGHJKLMNPQR"
URL = f"https://registry.example.kz/verify/{CODE}"

_COMMON = {
    "number": "DOC-2026-000042", "date": "2026-12-01", "holder": HOLDER,
    "authority_ru": "Министерство цифрового развития", "authority_kk": "Цифрлық даму министрлігі",
    "signer_position": "Директор департамента", "signer_name": "Қасымов Әлібек",
    "verification_code": CODE, "verify_url": URL,
    "holder_address": "г. Павлодар, ул. Кутузова, 4", "holder_bin": "123456789012",
}
_UNITS = [{"model": "Antminer S19", "serial": f"SN-{i:04d}", "hs_code": "8471410000"} for i in range(1, 4)]
_APPLICATION = {"incoming_number": "KZ-IN-2026-0007", "applied_on": "2026-11-01"}

CONTEXTS: dict[DocumentKind, dict[str, Any]] = {
    DocumentKind.LICENCE: {
        "subtype_roman": "І", "issued_on": "2026-12-01", "first_issued_on": "2026-12-01", "valid_until": "2029-12-01",
        "place_of_issue": "г. Астана", "special_conditions": "", "licensor_ru": "Министерство", "licensor_kk": "Министрлік",
    },
    DocumentKind.APPENDIX: {
        "subtype_roman": "І", "license_issued_on": "2026-12-01", "license_number": "KZ-DM-2026-0001",
        "subtype_text_ru": "І подвид", "subtype_text_kk": "І кіші түр", "licensor_ru": "Министерство",
        "licensor_kk": "Министрлік", "data_center": f"Павлодар, {HOLDER}", "electricity_ru": "у единого закупщика",
        "electricity_kk": "бірыңғай сатып алушыдан", "special_conditions": "",
        "valid_until": "2029-12-01", "issued_on": "2026-12-01",
    },
    DocumentKind.REFUSAL: {**_APPLICATION, "grounds": LICENSING_GROUNDS[:2], "reasons": "Подробные мотивы отказа."},
    DocumentKind.HEARING_NOTICE: {**_APPLICATION, "hearing_on": "2026-12-10", "hearing_time": "10:00",
                                  "place": "Астана, Мәңгілік Ел 55", "objections_until": "2026-12-09"},
    DocumentKind.INCLUSION_NOTICE: {"holder_bin": "123456789012", "units": _UNITS},
    DocumentKind.EXCLUSION_NOTICE: {"units": _UNITS},
    DocumentKind.POOL_CERTIFICATE: {"holder_address": "Алматы, Абай 1", "server_locations": "Алматы, Абай 1",
                                    "valid_until": "2027-12-01"},
    DocumentKind.INSPECTION_ACT: {
        "act_date": "2026-11-20", "holder_bin": "123456789012", "holder_address": "Павлодар, Кутузова 4",
        "items": [{"number": 1, "text_kk": "Цифрлық майнинг лицензиясының болуы", "text_ru": "Наличие лицензии",
                   "finding": "COMPLIES", "finding_kk": "талаптарға сәйкес келеді",
                   "finding_ru": "соответствует требованиям", "comment": ""},
                  {"number": 3, "text_kk": "АБК тізілімде", "text_ru": "АПК в реестре", "finding": "DOES_NOT_COMPLY",
                   "finding_kk": "талаптарға сәйкес келмейді", "finding_ru": "не соответствует требованиям",
                   "comment": "SN-0003 тізілімде жоқ"}],
        "representative": "Директор Өмірзақов Ұлан", "officials": ["Инспектор Қасымов Әлібек"],
    },
}


def context_of(kind: DocumentKind) -> dict[str, Any]:
    return {**_COMMON, "qr_data_uri": qr_data_uri(URL), **CONTEXTS[kind]}
