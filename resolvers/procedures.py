"""What each procedure adds to the shared engine, as data (no branches on codes).

A procedure module (licensing, registry, pools) defines its `ProcedureHooks`; the one table of
procedures -> hooks is `resolvers/wiring.py`; the engine in resolvers/applications.py calls them
at the points where procedures differ.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import ValuesQuery

from models.applications import Application
from rules.access import Actor
from rules.enums import Region
from rules.problems import Problem
from rules.workflow import ProcedureCode

__all__ = ["Decision", "ProcedureHooks", "all_hooks", "hooks_for"]


@dataclass(frozen=True)
class Decision:
    """What an approval needs besides the application (the licence's place of issue)."""

    place_of_issue: str | None = None


CompletenessCheck = Callable[[Application], Awaitable[list[Problem]]]
# The same for a page of applications of the procedure, in a constant number of statements.
CompletenessBatch = Callable[[Sequence[Application]], Awaitable[list[list[Problem]]]]
# Called inside the approval transaction; returns what the approval produced (e.g. a licence).
ApproveEffect = Callable[[BaseDBAsyncClient, Application, Actor, Decision], Awaitable[Any]]
# The ids of the procedure's applications with a data center in a region, as a subquery
# (`.values("application_id")`), for the `region` filter of the applications list.
RegionFilter = Callable[[Region], ValuesQuery[Any]]


@dataclass(frozen=True)
class ProcedureHooks:
    incoming_prefix: str  # incoming number prefix, e.g. "LIC"
    completeness: CompletenessCheck
    approve: ApproveEffect
    completeness_batch: CompletenessBatch | None = None  # default: `completeness` per application
    in_region: RegionFilter | None = None  # default: the procedure's applications have no region


def hooks_for(code: ProcedureCode) -> ProcedureHooks:
    from resolvers.wiring import PROCEDURES  # the table imports the procedure modules

    return PROCEDURES[ProcedureCode(code)]


def all_hooks() -> list[ProcedureHooks]:
    from resolvers.wiring import PROCEDURES

    return list(PROCEDURES.values())
