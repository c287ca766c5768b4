"""The limits of rules/limits.py applied at the schema boundary: every argument of every root
field (queries and mutations), and every field of the input objects and lists inside them, is
checked before the resolver runs, so no resolver (and no use case, loader or query) sees text
with a lone surrogate or longer than its limit, a non-finite or over-long decimal, a date
outside DATE_MIN..DATE_MAX or a year out of its range.

- Texts: `TEXT_MAX` unless the field or argument declares a tighter `TextBound` (`bound(...)`,
  or `column_bound(Model, "column")` for a lookup by a column: its `max_length`).
- Decimals: each Decimal input declares its `DecimalBound` (`bound(...)`); `check_schema_bounds`
  refuses a schema with one that does not, so a new Decimal input cannot skip it.
- Integers: only those that declare an `IntRange` (years).

A violation is VALIDATION with the input path: in a mutation's payload (the check runs inside
`PayloadErrors`, before `Idempotent` hashes the input), as a top-level error for a query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.field import StrawberryField

from rules.errors import DomainError, ErrorCode
from rules.limits import TEXT_MAX, DecimalBound, IntRange, TextBound, check_day, check_unicode
from schema.paths import camel

__all__ = ["BOUND", "InputBounds", "bound", "bound_fields", "column_bound", "described"]

BOUND = "bound"  # the metadata key of a field's or argument's bound
_DEFAULT_TEXT = TextBound(TEXT_MAX)


def bound(value: TextBound | DecimalBound | IntRange) -> dict[str, Any]:
    """Metadata for `strawberry.field(metadata=...)` / `strawberry.argument(metadata=...)`."""
    return {BOUND: value}


def column_bound(model: Any, column: str) -> dict[str, Any]:
    """A text's bound from its model column's `max_length`."""
    return bound(TextBound(model._meta.fields_map[column].max_length))


def described(description: str, value: TextBound | DecimalBound | IntRange) -> str:
    """A description that states the bound, as the checks apply it."""
    return f"{description} {value.describe()}"


def _path(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _check(value: Any, spec: Any, path: str) -> None:
    if value is None or isinstance(value, Enum | bool):
        return
    if isinstance(value, str):
        limit = spec if isinstance(spec, TextBound) else _DEFAULT_TEXT
        if not limit.any_code_points:
            check_unicode(value, path)
        if len(value) > limit.max_length:
            raise DomainError(ErrorCode.VALIDATION, field=path, detail=f"at most {limit.max_length} characters")
    elif isinstance(value, Decimal):
        if not isinstance(spec, DecimalBound):  # check_schema_bounds makes this unreachable
            raise DomainError(ErrorCode.VALIDATION, field=path, detail="a decimal without declared bounds")
        spec.check(value, path)
    elif isinstance(value, date):  # and datetime
        check_day(value, path)
    elif isinstance(value, int):
        if isinstance(spec, IntRange):
            spec.check(value, path)
    elif isinstance(value, list | tuple):
        limit = spec if isinstance(spec, TextBound) else _DEFAULT_TEXT
        for i, item in enumerate(value):
            if type(item) is str and len(item) <= limit.max_length and item.isascii() and "\x00" not in item:
                continue  # ASCII text within its bound (50,000 serials): no path to build, nothing to check
            _check(item, spec, f"{path}[{i}]")
    elif has_object_definition(value):  # an input object: each field with its own bound
        for field in type(value).__strawberry_definition__.fields:
            name = field.graphql_name or camel(field.python_name)
            _check(getattr(value, field.python_name, None), field.metadata.get(BOUND), _path(path, name))
    # GlobalID (pk_of checks it), Upload (the file checks) and the other scalars: nothing here


class InputBounds(FieldExtension):
    """Checks a root field's arguments against their bounds before the resolver runs."""

    def apply(self, field: StrawberryField) -> None:
        self.arguments = [
            # A mutation's `input` is the root of its paths (errors name `name`, not `input.name`).
            (a.python_name, "" if a.python_name == "input" else (a.graphql_name or camel(a.python_name)),
             a.metadata.get(BOUND))
            for a in field.arguments
        ]

    def _check(self, kwargs: dict[str, Any]) -> None:
        for python_name, path, spec in self.arguments:
            _check(kwargs.get(python_name), spec, path)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        self._check(kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        self._check(kwargs)
        return await next_(source, info, **kwargs)


def bound_fields(types: Iterable[type]) -> None:
    """Give every field of these root types (once) the InputBounds check: innermost but for
    the payload wrapper, so its errors become payload errors and nothing reads the input
    before it (e.g. `Idempotent`'s hash of the input)."""
    from schema.errors import PayloadErrors

    for cls in types:
        for field in cls.__strawberry_definition__.fields:
            if not field.arguments or any(isinstance(e, InputBounds) for e in field.extensions):
                continue
            _require_decimal_bounds(field)
            at = next((i for i, e in enumerate(field.extensions) if isinstance(e, PayloadErrors)), len(field.extensions))
            field.extensions.insert(at, InputBounds())


def _require_decimal_bounds(field: StrawberryField) -> None:
    for argument in field.arguments:
        for where, annotation, spec in _leaves(argument.type, argument.metadata.get(BOUND), argument.python_name, set()):
            if annotation is Decimal and not isinstance(spec, DecimalBound):
                raise TypeError(f"{field.python_name}: Decimal input {where} declares no DecimalBound")


def _leaves(annotation: Any, spec: Any, where: str, seen: set[type]) -> Iterable[tuple[str, Any, Any]]:
    """(where, scalar type, bound) for every scalar an argument of this type can hold."""
    while isinstance(annotation, StrawberryOptional | StrawberryList):
        annotation = annotation.of_type
    if isinstance(annotation, type) and has_object_definition(annotation):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.__strawberry_definition__.fields:
            yield from _leaves(field.type, field.metadata.get(BOUND), f"{annotation.__name__}.{field.python_name}", seen)
    else:
        yield where, annotation, spec
