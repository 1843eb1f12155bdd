"""Imports point one way: bot -> intake -> storage -> rules. The core stays pure."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import samverkan

PACKAGE = Path(samverkan.__file__).parent
LAYERS = {"rules": 0, "storage": 1, "intake": 2, "bot": 3}
# Allowed in rules/: the standard library, its own modules, and these pure libraries.
PURE_THIRD_PARTY: set[str] = set()


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def test_no_layer_imports_a_layer_above_it() -> None:
    offences = []
    for layer, rank in LAYERS.items():
        for path in modules(layer):
            for name in imports_of(path):
                parts = name.split(".")
                above = (
                    parts[0] == "samverkan" and len(parts) > 1 and LAYERS.get(parts[1], 0) > rank
                )
                if above:
                    offences.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offences == []


def test_the_rules_core_uses_only_the_standard_library() -> None:
    offences = []
    for path in modules("rules"):
        for name in imports_of(path):
            top = name.split(".")[0]
            if name.startswith("samverkan.rules") or name == "__future__":
                continue
            if top in sys.stdlib_module_names or top in PURE_THIRD_PARTY:
                continue
            offences.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offences == []


def test_the_layer_check_sees_the_modules() -> None:
    for layer in LAYERS:
        assert modules(layer), f"no modules found in {layer}/"


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in tests/helpers (and tests/imap/support.py), not in test files."""
    tests_root = Path(__file__).parent
    offences = []
    for path in sorted(tests_root.rglob("test_*.py")):
        for name in imports_of(path):
            if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_"):
                offences.append(f"{path.relative_to(tests_root)} imports {name}")
    assert offences == []
