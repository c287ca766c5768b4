"""PostgreSQL rows become model instances by position (models/rows.py) exactly as Tortoise's
own `_init_from_db` makes them: every model, every column, on the demo's data."""

import pytest
from tortoise import Tortoise

from demo import load_demo
from models.rows import builder


async def test_every_model_reads_the_same_by_position_as_by_tortoise(client):
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect != "postgres":
        pytest.skip("the positional reader is PostgreSQL's (asyncpg records); TEST_DATABASE_URL=postgres://... runs it")
    await load_demo()
    compared, models_with_rows = 0, 0
    for model in Tortoise.apps["models"].values():
        _, records = await connection.execute_query(f'SELECT * FROM "{model._meta.db_table}" LIMIT 40')
        if not records:
            continue
        build = builder(model, tuple(records[0].keys()))
        assert build is not None, f"{model.__name__}: its own columns must be read by position"
        models_with_rows += 1
        for record in records:
            ours, theirs = build(record), model._init_from_db(**record)
            assert type(ours) is model
            assert vars(ours) == vars(theirs), model.__name__
            assert {k: (type(v), getattr(v, "tzinfo", None)) for k, v in vars(ours).items()} == {
                k: (type(v), getattr(v, "tzinfo", None)) for k, v in vars(theirs).items()
            }
            compared += 1
    assert models_with_rows >= 15 and compared >= 100, (models_with_rows, compared)


async def test_a_partial_or_foreign_column_list_is_left_to_tortoise():
    from models.parties import Miner

    assert builder(Miner, ("id", "name")) is None
    assert builder(Miner, (*[key for key, _, _ in Miner._meta.db_native_fields], "unknown")) is None
