"""App.3 unit lists as an applicant sends them, for the unit-list tests: the header rows in
Russian, Kazakh and English exactly as the form prints them (written out here, not taken from
the code under test), one good line, CSV text and an .xlsx workbook."""

import io

from openpyxl import Workbook

RU = [
    "Порядковый номер",
    "Полное наименование аппаратно-программного комплекса марка, модель",
    "Индивидуальный серийный номер аппаратно-программного комплекса",
    "Хэшрейт (ТН/s)",
    "Мощность (кВт)",
    "Код ТН ВЭД ЕАЭС",
    "Номер грузовой таможенной декларации",
    "Состояние аппаратно-программного комплекса",
]
KK = [
    "Реттік нөмірі",
    "Аппараттық-бағдарламалық кешеннің толық атауы маркасы, моделі",
    "Аппараттық-бағдарламалық кешеннің жеке сериялық нөмірі",
    "Хэшрейт (Th/s)",
    "Қуат (кВт)",
    "ЕАЭО СЭҚ ТН коды",
    "Кедендік жүк декларациясының нөмірі*",
    "Аппараттық-бағдарламалық кешеннің жай-күйі",
]
EN = [
    "No",
    "Model",
    "Serial number",
    "Hashrate TH/s",
    "Power kW",
    "TN VED code",
    "Customs declaration",
    "Condition",
]
TNVED = "8471410000"


def unit(n: int, serial: str = "", **over: object) -> list[object]:
    """One good App.3 line (S19 Pro: 110 TH/s, 3.25 kW = 29.5 J/TH), in EN column order."""
    row: dict[str, object] = {
        "no": n,
        "model": "Antminer S19 Pro",
        "serial": serial or f"SN{n:06d}",
        "hashrate": "110",
        "power": "3,25",
        "tnved": TNVED,
        "customs": "50401/010123/0001234",
        "condition": "исправный",
    }
    row.update(over)
    return list(row.values())


def to_csv(header: list[str], rows: list[list[object]], delimiter: str = ",") -> str:
    def cell(v: object) -> str:
        text = "" if v is None else str(v)
        if any(ch in text for ch in (delimiter, '"', "\n", ",")):
            return '"' + text.replace('"', '""') + '"'
        return text

    return "\n".join(delimiter.join(cell(v) for v in r) for r in [header, *rows]) + "\n"


def xlsx_bytes(rows: list[list[object]], merged: tuple[str, ...] = ()) -> bytes:
    """An .xlsx workbook with these rows on its first sheet and these cell ranges merged."""
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merged:
        ws.merge_cells(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
