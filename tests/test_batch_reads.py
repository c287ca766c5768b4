"""Batched reads by key (models/batch.py) give what Tortoise's `filter(column__in=keys)` gives:
the same rows, values and order, on SQLite and PostgreSQL, in chunks too."""

import pytest
from tortoise import Tortoise

import models.batch as batch
from demo import load_demo
from models.applications import Application, ApplicationDocument, StageEvent
from models.batch import rows_in, values_in
from models.parties import DataCenter, Miner


def _rows(rows):
    return [(type(r), vars(r)) for r in rows]


CASES = [
    (Application, "miner_id", ("id",)),
    (ApplicationDocument, "application_id", ("id",)),
    (StageEvent, "application_id", ("at", "id")),
    (DataCenter, "miner_id", ("id",)),
    (Miner, "id", ("id",)),
    (Application, "miner_id", ("-stage", "-id")),
    (StageEvent, "application_id", ("-at", "id")),
]


@pytest.mark.parametrize(("model", "column", "order"), CASES)
async def test_rows_by_key_are_tortoises_rows(client, model, column, order, monkeypatch):
    await load_demo()
    keys = sorted({getattr(row, column) for row in await model.all()} - {None})
    assert keys, f"the demo has {model.__name__} rows"
    keys = [*keys, 10**9]  # and a key with no rows
    expected = await model.filter(**{f"{column}__in": keys}).order_by(*order)
    assert _rows(await rows_in(model, column, keys, order)) == _rows(expected)
    monkeypatch.setattr(batch, "IN_CHUNK", 2)  # many statements (SQLite): still one order
    if Tortoise.get_connection("default").capabilities.dialect != "postgres":
        assert _rows(await rows_in(model, column, list(reversed(keys)), order)) == _rows(expected)


async def test_values_by_key_are_tortoises_values(client):
    await load_demo()
    ids = [a.id for a in await Application.all()]
    fields = ("application_id", "kind", "valid_until", "title")
    expected = await ApplicationDocument.filter(application_id__in=ids).order_by("id").values_list(*fields)
    got = await values_in(ApplicationDocument, fields, "application_id", ids)
    assert got == [tuple(row) for row in expected] and got
    assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]  # the enum is the enum, the date a date
    dc_fields = ("id", "miner_id", "substation_kv", "permitted_capacity_mw", "connected_on", "power_source",
                 "outside_residential_zone")
    dcs = [dc.id for dc in await DataCenter.all()]
    assert await values_in(DataCenter, dc_fields, "id", dcs) == [
        tuple(row) for row in await DataCenter.filter(id__in=dcs).order_by("id").values_list(*dc_fields)
    ]
    assert await values_in(DataCenter, dc_fields, "id", []) == []


def test_the_plain_check_reads_every_part_of_a_querysets_state():
    from tortoise.queryset import AwaitableQuery, QuerySet

    state = {name for cls in (QuerySet, AwaitableQuery) for name in getattr(cls, "__slots__", ())}
    assert state <= batch.QUERYSET_STATE, f"Tortoise added {state - batch.QUERYSET_STATE}: review models.batch.is_plain"


async def test_only_a_whole_table_is_plain(client):
    from tortoise.expressions import RawSQL

    assert batch.is_plain(Miner.all()) and batch.is_plain(Miner.all().order_by("-id"))
    for qs in (Miner.filter(id=1), Miner.all().limit(3), Miner.filter(name__icontains="x"), Miner.all().only("id"),
               Miner.all().annotate(n=RawSQL("1")), Miner.all().distinct(), Miner.exclude(id=2),
               DataCenter.filter(miner__name="x"), Miner.all().offset(1)):
        assert not batch.is_plain(qs), qs.sql()
    locked = Miner.all().select_for_update()
    assert batch.is_plain(locked) is not locked._select_for_update  # (SQLite has no row locks: Tortoise drops it)


@pytest.mark.parametrize("order", [("id",), ("-id",), ("name", "id"), ("-created_at", "-id")])
async def test_a_whole_tables_first_rows_are_tortoises(client, order):
    await load_demo()
    expected = await Miner.all().order_by(*order).limit(3)
    assert _rows(await batch.first_rows(Miner.all(), order, 3)) == _rows(expected) and expected
