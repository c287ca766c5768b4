"""Model instances from PostgreSQL rows without Tortoise's per-row bookkeeping.

Tortoise's `execute_select` turns each asyncpg record into keyword arguments
(`Model._init_from_db(**row)`) and looks every column up by name again; for a page of 100
applications that cost five times the query itself (bench/README.md, "Read path"). Here the
columns of a result are matched to the model's fields once per (model, column list), and
each row is read by position into a fresh instance, each value converted exactly as
`_init_from_db` converts it: driver-native fields as they come, plain fields by their type
(`int(...)`, `str(...)`), the others by the field's own `to_python_value`, enums by a
lookup of their value. A result whose columns are not exactly the model's (`.only()`,
annotations, joins) takes Tortoise's own path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise import timezone
from tortoise.fields.data import CharEnumFieldInstance, DatetimeField, IntEnumFieldInstance

Builder = Callable[[Any], Any]
_BUILDERS: dict[tuple[type, tuple[str, ...], frozenset[str]], Builder | None] = {}


def builder(model: type, columns: Sequence[str], ignore: frozenset[str] = frozenset()) -> Builder | None:
    """How a row with these columns becomes an instance of `model`; None when the columns are
    not exactly the model's own, besides those in `ignore` (Tortoise's path then)."""
    key = (model, tuple(columns), ignore)
    if key not in _BUILDERS:
        _BUILDERS[key] = _make(model, key[1], ignore)
    return _BUILDERS[key]


def instances(model: type, records: Sequence[Any], ignore: frozenset[str] = frozenset()) -> list[Any]:
    """`model` instances of asyncpg records, by position where the columns allow."""
    if not records:
        return []
    build = builder(model, tuple(records[0].keys()), ignore)
    if build is None:
        return [model._init_from_db(**record) for record in records]  # type: ignore[attr-defined]
    return [build(record) for record in records]


def _enum_reader(enum_type: type[Enum]) -> Callable[[Any], Any]:
    members = enum_type._value2member_map_

    def read(value: Any) -> Any:
        if value is None:
            return None
        member = members.get(value)
        return member if member is not None else enum_type(value)  # anything odd: the enum's own lookup

    return read


def _datetime_reader(field: DatetimeField) -> Callable[[Any], Any]:
    """`DatetimeField.to_python_value` with `use_tz` (the project's setting, models/db.py) for
    the values asyncpg gives a `timestamptz` column: aware, in UTC, made into the default zone
    as Tortoise does; anything else through Tortoise itself."""
    zone = timezone.get_default_timezone()

    def read(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is UTC:
            return value.astimezone(zone)
        return field.to_python_value(value)

    return read


def _make(model: type, columns: tuple[str, ...], ignore: frozenset[str]) -> Builder | None:
    meta = model._meta  # type: ignore[attr-defined]
    position = {column: index for index, column in enumerate(columns) if column not in ignore}
    expected = [key for key, _, _ in (*meta.db_native_fields, *meta.db_default_fields, *meta.db_complex_fields)]
    if len(position) != len(columns) - len(ignore & set(columns)) or set(position) != set(expected):
        return None
    native = [(position[key], attribute) for key, attribute, _ in meta.db_native_fields]
    plain = [(position[key], attribute, field.field_type) for key, attribute, field in meta.db_default_fields]
    complex_ = []
    for key, attribute, field in meta.db_complex_fields:
        if isinstance(field, CharEnumFieldInstance | IntEnumFieldInstance) and type(field).to_python_value in (
            CharEnumFieldInstance.to_python_value, IntEnumFieldInstance.to_python_value
        ):
            complex_.append((position[key], attribute, _enum_reader(field.enum_type)))
        elif type(field).to_python_value is DatetimeField.to_python_value and timezone.get_use_tz():
            complex_.append((position[key], attribute, _datetime_reader(field)))
        else:
            complex_.append((position[key], attribute, field.to_python_value))
    custom_pk = meta.db_pk_column not in meta.generated_db_fields
    # The builder's code, written once per shape: one dict display of the instance's attributes
    # (bookkeeping, then the fields in Tortoise's order: native, plain, complex), no loop.
    names: dict[str, Any] = {"new": object.__new__, "put": object.__setattr__, "model": model, "custom_pk": custom_pk}
    items = ['"_partial": False', '"_saved_in_db": True', '"_custom_generated_pk": custom_pk', '"_await_when_save": {}']
    items += [f"{attribute!r}: row[{index}]" for index, attribute in native]
    for n, (index, attribute, convert) in enumerate(plain):
        names[f"p{n}"] = convert
        items.append(f"{attribute!r}: None if (v := row[{index}]) is None else p{n}(v)")
    for n, (index, attribute, convert) in enumerate(complex_):
        names[f"c{n}"] = convert
        items.append(f"{attribute!r}: c{n}(row[{index}])")
    source = "def build(row):\n    instance = new(model)\n    put(instance, '__dict__', {" + ", ".join(items) + "})\n    return instance\n"
    exec(compile(source, f"<rows of {model.__name__}>", "exec"), names)  # our own code, from field names
    return names["build"]  # type: ignore[no-any-return]
