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
