"""The audit vocabulary stays complete: every action the code writes is an `AuditAction`, every
model that is not infrastructure is an `AuditEntityType`; snapshots convert for clients."""

from __future__ import annotations

import ast
import importlib
from enum import Enum
from pathlib import Path

import pytest
from tortoise.models import Model

from models import MODEL_MODULES
from rules.audit import AuditAction, AuditEntityType, camel_case, client_snapshot

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"record_change": 2, "append_audit": 2}  # function -> position of the action argument
# Models the trail is never about: the trail itself and the plumbing around it.
INFRASTRUCTURE = {"AuditEvent", "AuditCheckpoint", "OutboxEvent", "PartnerEvent", "WebhookDelivery", "Notification", "IdempotencyKey", "RegistryCounter", "EventLogHorizon"}


class _Unresolved(Exception):
    pass


def _modules() -> list[Path]:
    return sorted(p for p in (ROOT / "resolvers").rglob("*.py"))


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


class _ActionsOf:
    """The action strings one module can pass to the audit writers, found statically.

    An action argument may be a literal, `AuditAction.X(.value)`, `a if c else b`, an f-string over an enum
    member (`f"application.{action.value.lower()}"` with `action: Action`), a module-level dict
    indexed (`_TOPICS[action]`), or a parameter of a helper that the module calls with any of
    these (`_save(actor, "miner.created", ...)`). Anything else fails the test, so the
    vocabulary cannot fall silently behind the code.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.module = importlib.import_module(_module_name(path))
        self.functions = {
            n.name: n for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.dicts = {
            t.id: n.value
            for n in self.tree.body
            if isinstance(n, ast.Assign | ast.AnnAssign) and isinstance(n.value, ast.Dict)
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Name)
        }
        self.parents = {child: parent for parent in ast.walk(self.tree) for child in ast.iter_child_nodes(parent)}

    def _enclosing(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def _where(self, node: ast.AST) -> str:
        shown = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path.name
        return f"{shown}:{getattr(node, 'lineno', '?')}"

    def calls_to(self, names: dict[str, int]) -> list[tuple[ast.Call, int]]:
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if name in names:
                    found.append((node, names[name]))
        return found

    def argument(self, call: ast.Call, position: int, keyword: str) -> ast.expr | None:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
        return call.args[position] if len(call.args) > position else None

    def values(self, expr: ast.expr, depth: int = 0) -> set[str]:
        if depth > 5:
            raise _Unresolved(self._where(expr))
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.Attribute):  # AuditAction.X.value or AuditAction.X
            member = expr.value if expr.attr == "value" else expr
            if isinstance(member, ast.Attribute) and isinstance(member.value, ast.Name):
                enum = getattr(self.module, member.value.id, None)
                if isinstance(enum, type) and issubclass(enum, Enum):
                    return {enum[member.attr].value}
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name) and expr.value.id in self.dicts:
            return set().union(*(self.values(v, depth + 1) for v in self.dicts[expr.value.id].values))
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, depth + 1) | self.values(expr.orelse, depth + 1)
        if isinstance(expr, ast.JoinedStr):
            return self._formatted(expr)
        if isinstance(expr, ast.Name):
            return self._parameter(expr, depth)
        raise _Unresolved(f"{self._where(expr)}: {ast.unparse(expr)}")

    def _formatted(self, expr: ast.JoinedStr) -> set[str]:
        """f"prefix{name.value.lower()}" over a parameter annotated with an enum: one per member."""
        parts = expr.values
        if len(parts) == 2 and isinstance(parts[0], ast.Constant) and isinstance(parts[1], ast.FormattedValue):
            inner = parts[1].value
            if (
                isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "lower"
                and isinstance(inner.func.value, ast.Attribute) and inner.func.value.attr == "value"
                and isinstance(inner.func.value.value, ast.Name)
            ):
                function = self._enclosing(expr)
                arg = next((a for a in _args(function) if a.arg == inner.func.value.value.id), None) if function else None
                enum = getattr(self.module, ast.unparse(arg.annotation), None) if arg and arg.annotation else None
                if isinstance(enum, type) and issubclass(enum, Enum):
                    return {f"{parts[0].value}{member.value.lower()}" for member in enum}
        raise _Unresolved(f"{self._where(expr)}: {ast.unparse(expr)}")

    def _parameter(self, name: ast.Name, depth: int) -> set[str]:
        """A helper's parameter: the values every call of the helper in this module passes."""
        function = self._enclosing(name)
        params = [a.arg for a in _args(function)] if function else []
        if name.id not in params:
            raise _Unresolved(f"{self._where(name)}: {name.id}")
        position = params.index(name.id)
        calls = self.calls_to({function.name: position})  # type: ignore[union-attr]
        if not calls:
            raise _Unresolved(f"{self._where(name)}: {function.name} is never called here")  # type: ignore[union-attr]
        found: set[str] = set()
        for call, pos in calls:
            arg = self.argument(call, pos, name.id)
            if arg is None:
                raise _Unresolved(self._where(call))
            found |= self.values(arg, depth + 1)
        return found


def _args(function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> list[ast.arg]:
    if function is None:
        return []
    a = function.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs]


def written_actions() -> dict[str, str]:
    """Every action string the resolvers can write -> where."""
    found: dict[str, str] = {}
    for path in _modules():
        if path.name == "changes.py":  # the writers themselves
            continue
        scan = _ActionsOf(path)
        for call, position in scan.calls_to(WRITERS):
            arg = scan.argument(call, position, "action")
            if arg is None:
                raise _Unresolved(scan._where(call))
            for value in scan.values(arg):
                found.setdefault(value, scan._where(call))
    return found


def test_every_action_the_code_writes_is_an_audit_action():
    written = written_actions()
    assert len(written) >= 30, written  # the scan finds the writers (a sanity check of the scanner)
    known = {a.value for a in AuditAction}
    missing = {value: where for value, where in written.items() if value not in known}
    assert missing == {}, f"add these to rules.audit.AuditAction (and describe them in schema/types/audit.py): {missing}"


def test_the_scanner_follows_helpers_dicts_and_enum_f_strings():
    written = written_actions()
    assert "miner.created" in written  # through parties._save(actor, action, ...)
    assert "license.revoked" in written  # through licenses._TOPICS[action]
    assert "application.approve" in written  # f"application.{action.value.lower()}"
    assert "complaint.forwarded" in written  # through complaints._step(...)
    assert "token.issued" in written  # AuditAction.TOKEN_ISSUED.value


def test_scanner_refuses_an_action_it_cannot_resolve(tmp_path):
    source = "async def f(conn, actor, row, pick):\n    await record_change(conn, actor, pick(), row, None)\n"
    path = tmp_path / "x.py"
    path.write_text(source)
    scan = _ActionsOf.__new__(_ActionsOf)
    scan.path, scan.tree, scan.module = path, ast.parse(source), object()
    scan.functions, scan.dicts = {}, {}
    scan.parents = {c: p for p in ast.walk(scan.tree) for c in ast.iter_child_nodes(p)}
    [(call, position)] = scan.calls_to(WRITERS)
    with pytest.raises(_Unresolved):
        scan.values(scan.argument(call, position, "action"))


def test_every_domain_model_is_an_audit_entity_type():
    models = {
        cls.__name__
        for module in map(importlib.import_module, MODEL_MODULES)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, Model) and cls.__module__ == module.__name__
        and not cls._meta.abstract
    }
    assert {"Miner", "AuditEvent", "User"} <= models
    assert {e.value for e in AuditEntityType} == models - INFRASTRUCTURE


@pytest.mark.parametrize(
    ("key", "camel"),
    [("id", "id"), ("miner_id", "minerId"), ("permitted_capacity_mw", "permittedCapacityMw"),
     ("substation_kv", "substationKv"), ("alreadyCamel", "alreadyCamel")],
)
def test_camel_case(key, camel):
    assert camel_case(key) == camel


def test_client_snapshot_converts_keys_references_and_leaves_secrets_out():
    stored = {
        "id": 7, "miner_id": 3, "pool_id": None, "token_hash": "ab" * 32, "name": "X",
        "server_locations": [{"role": "MAIN", "server_room": "A"}], "replaced_by_id": 9,
    }
    shown = client_snapshot(stored, "DataCenter", {"miner_id": "Miner", "pool_id": "Pool"}, lambda m, pk: f"{m}#{pk}")
    assert shown == {
        "id": "DataCenter#7", "minerId": "Miner#3", "poolId": None, "name": "X",
        "serverLocations": [{"role": "MAIN", "serverRoom": "A"}],
        "replacedById": 9,  # not a foreign key: no type to name, the number stays
    }
    assert stored["miner_id"] == 3 and "token_hash" in stored  # the stored snapshot is untouched
    summary = {"units": 3, "change_date": "2025-01-01"}
    assert client_snapshot(summary, "Application", {}, lambda m, pk: "?") == {"units": 3, "changeDate": "2025-01-01"}
    assert client_snapshot(None, "Miner", {}, lambda m, pk: "?") is None


def test_only_resolvers_write_the_trail():
    """The scan covers resolvers/; a writer called from elsewhere would escape it."""
    outside = [
        str(p.relative_to(ROOT))
        for folder in ("schema", "jobs", "rules", "models")
        for p in (ROOT / folder).rglob("*.py")
        if any(f"{name}(" in p.read_text(encoding="utf-8") for name in WRITERS)
    ]
    outside += [name for name in ("main.py", "manage.py", "demo.py")
                if any(f"{w}(" in (ROOT / name).read_text(encoding="utf-8") for w in WRITERS)]
    assert outside == []
