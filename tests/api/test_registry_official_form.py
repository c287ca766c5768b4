"""The official App.3 form imports as it is (issue 9 item 7): 002 App.3 (Russian) and 000
3-қосымша (Kazakh) have a two-row header, no TN VED column (the code is the application's, 002
App.2 item 7) and the condition as two tick columns (исправное / неисправное, жарамды /
жарамсыз). The header rows below are copied from the seeds, in the form's column order."""

import csv
import io

import pytest

from models.registry import RegistryApplicationLine
from tests.api import test_registry_files as _files
from tests.api.registry_flow import TNVED, filed, include_file, issues_of
from tests.unit_lists import xlsx_bytes

TITLE_RU = "Сведения аппаратно-программного комплекса для цифрового майнинга"
FORM_RU = (
    ["Порядковый номер", "Полное наименование аппаратно-программного комплекса марка, модель",
     "Индивидуальный серийный номер аппаратно-программного комплекса",
     "Технические сведения об аппаратно-программном комплексе", None,
     "Номер грузовой таможенной декларации", "Состояние аппаратно-программного комплекса", None],
    [None, None, None, "Хэшрейт (ТН/s)", "Мощность (кВт)", None, "исправное", "неисправное"],
)
TITLE_KK = "Цифрлық майнингке арналған аппараттық-бағдарламалық кешеннің мәліметтері"
FORM_KK = (
    ["Реттік нөмірі", "Аппараттық-бағдарламалық кешеннің толық атауы маркасы, моделі",
     "Аппараттық-бағдарламалық кешеннің жеке сериялық нөмірі",
     "Аппараттық-бағдарламалық кешен туралы техникалық мәліметтер", None,
     "Кедендік жүк декларациясының нөмірі*", "Аппараттық-бағдарламалық кешеннің жай-күйі", None],
    [None, None, None, "Хэшрейт (Th/s)", "Қуат (кВт)", None, "жарамды", "жарамсыз"],
)
miner_dc = _files.miner_dc  # the fixture: a miner, its data center and its applicant
_data, _nothing_written = _files._data, _files._nothing_written

# The form's merged cells: each title of the upper row spans both rows, the two groups span two columns.
MERGED = ("A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3", "G2:H2")


def line(n: int, working: object = "x", faulty: object = None) -> list[object]:
    return [n, "Antminer S19 Pro", f"SN{n:06d}", 110, 3.25, "50401/010123/0001234", working, faulty]


def form_xlsx(title: str, form: tuple[list, list], rows: list[list]) -> bytes:
    return xlsx_bytes([[title], *form, *rows], MERGED)


def form_csv(form: tuple[list, list], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerows([["" if c is None else c for c in r] for r in (*form, *rows)])
    return buf.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize(
    ("kind", "title", "form", "first_line"),
    [("xlsx", TITLE_RU, FORM_RU, 4), ("xlsx", TITLE_KK, FORM_KK, 4), ("csv", None, FORM_RU, 3)],
    ids=["xlsx-ru-002", "xlsx-kk-000", "csv-ru-002"],
)
async def test_002_app3_official_form_imports_as_it_is(miner_dc, kind, title, form, first_line):
    miner, dc, applicant = miner_dc
    rows = [line(1), line(2, None, "✓"), line(3, "+"), line(4, None, "X")]
    if kind == "xlsx":
        content, name = form_xlsx(title, form, rows), "units.xlsx"
    else:
        content, name = form_csv(form, rows), "units.csv"
    app = filed(await include_file(applicant, _data(miner, dc, 4), content, name))
    assert app["registryDetails"]["lineCount"] == 4
    lines = await RegistryApplicationLine.all().order_by("line")
    assert [x.line for x in lines] == list(range(first_line, first_line + 4))
    assert [x.condition.value for x in lines] == ["WORKING", "FAULTY", "WORKING", "FAULTY"]
    assert {x.tnved_code for x in lines} == {TNVED}  # 002 App.2 item 7: the application's code
    assert lines[0].serial == "SN000001" and str(lines[0].power_kw) == "3.250"


async def test_002_app3_the_forms_numbering_row_under_the_header_is_not_a_unit(miner_dc):
    miner, dc, applicant = miner_dc
    content = form_xlsx(TITLE_RU, FORM_RU, [[1, 2, 3, 4, 5, 6, 7, 8], line(1)])
    filed(await include_file(applicant, _data(miner, dc, 1), content, "units.xlsx"))
    assert await RegistryApplicationLine.all().count() == 1


async def test_002_app3_condition_ticks_both_or_none_marked_is_a_line_error(miner_dc):
    miner, dc, applicant = miner_dc
    rows = [line(1), line(2, "x", "x"), line(3, None, None), line(4, None, "x")]
    issues = issues_of(await include_file(applicant, _data(miner, dc, 4), form_xlsx(TITLE_RU, FORM_RU, rows), "u.xlsx"))
    errors = [(i["line"], i["column"], i["code"]) for i in issues if i["severity"] == "ERROR"]
    assert errors == [(5, "CONDITION", "CONDITION_MARKED_TWICE"), (6, "CONDITION", "CONDITION_NOT_MARKED")]
    assert "исправное" in issues[0]["message"]
    await _nothing_written()


async def test_002_app2_item7_the_form_needs_the_applications_tnved_code(miner_dc):
    miner, dc, applicant = miner_dc
    data = _data(miner, dc, 1)
    del data["tnvedCode"]
    issues = issues_of(await include_file(applicant, data, form_xlsx(TITLE_RU, FORM_RU, [line(1)]), "u.xlsx"))
    assert [(i["line"], i["code"]) for i in issues] == [(0, "MISSING_COLUMNS")]
    assert "App.2 item 7" in issues[0]["message"]
    await _nothing_written()
