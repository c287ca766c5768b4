"""Helpers for inputs: strawberry's UNSET means 'not given', which a patch must skip."""

from __future__ import annotations

from typing import Any

import strawberry


def given(input_obj: Any, *, exclude: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(input_obj).items()
        if value is not strawberry.UNSET and name not in exclude
    }
