"""The README's rule table names every rule warroom enforces.

A rule added without a row (and so without the playbook line it enforces) fails here:
guardrails from the registry, gate conditions from the gate itself, and clock items from
every ``ClockItem(...)`` the rules build, read from their source.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.unit.test_closure_gate_table import _incident
from warroom.config import Config
from warroom.rules import closure_gate, guardrails

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "src" / "warroom" / "rules"


def _table() -> dict[str, set[str]]:
    """Rule id -> kinds, from the README's "Playbook rules" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Playbook rules", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            rows.setdefault(cells[0].strip("`"), set()).add(cells[1])
    return rows


def _calls_outside_mutants(tree: ast.AST) -> list[ast.AST]:
    """Every node but those in the mutated copies ``make mutants`` writes beside a function
    (``x_items__mutmut_3``): under mutation testing this file reads mutated sources."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", "")
        if "__mutmut_" in name and not name.endswith("__mutmut_orig"):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _clock_keys() -> set[str]:
    """The key of every clock item the rules build: a literal, or a module constant."""
    keys: set[str] = set()
    for path in RULES_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in _calls_outside_mutants(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ClockItem"
                and node.args
            ):
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    keys.add(first.value)
                elif isinstance(first, ast.Name) and first.id in constants:
                    keys.add(constants[first.id])
    return keys


def test_the_table_is_read() -> None:
    table = _table()
    assert len(table) >= 20
    assert table["contradiction"] == {"guardrail"}


def test_every_guardrail_has_a_row() -> None:
    table = _table()
    ids = {sys.modules[rule.__module__].RULE for rule in guardrails.RULES}
    assert ids  # the registry is not empty
    missing = sorted(i for i in ids if "guardrail" not in table.get(i, set()))
    assert missing == []


def test_every_gate_condition_has_a_row() -> None:
    table = _table()
    keys = {c.key for c in closure_gate.evaluate(_incident([]), Config())}
    assert {"rerun", "scenario.failing-endpoints"} <= keys  # the story is Scenario A
    rows = {"scenario.*" if k.startswith("scenario.") else k for k in keys}
    missing = sorted(k for k in rows if "gate" not in table.get(k, set()))
    assert missing == []


def test_every_clock_item_has_a_row() -> None:
    table = _table()
    keys = _clock_keys()
    assert {"first-15", "checkpoint", "comms", "review"} <= keys
    missing = sorted(k for k in keys if "clock" not in table.get(k, set()))
    assert missing == []


@pytest.mark.parametrize("rule", ["merge-freeze", "scenario.*"], ids=["freeze", "scenarios"])
def test_rules_outside_the_registries_have_rows(rule: str) -> None:
    assert rule in _table()
