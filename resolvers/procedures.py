"""What each procedure adds to the shared engine, registered as data (no branches on codes).

A procedure module (licensing, registry, pools) registers its hooks at import; the engine in
resolvers/applications.py calls them at the points where procedures differ.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.applications import Application
from rules.access import Actor
from rules.qualification import Problem
from rules.workflow import ProcedureCode

CompletenessCheck = Callable[[Application], Awaitable[list[Problem]]]
# Called inside the approval transaction; returns what the approval produced (e.g. a licence).
ApproveEffect = Callable[[BaseDBAsyncClient, Application, Actor, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class ProcedureHooks:
    incoming_prefix: str  # incoming number prefix, e.g. "LIC"
    completeness: CompletenessCheck
    approve: ApproveEffect


HOOKS: dict[ProcedureCode, ProcedureHooks] = {}


def register_procedure(code: ProcedureCode, hooks: ProcedureHooks) -> None:
    HOOKS[code] = hooks


def hooks_for(code: ProcedureCode) -> ProcedureHooks:
    return HOOKS[ProcedureCode(code)]
