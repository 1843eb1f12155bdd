"""Keeps the code readable: modules in samverkan/ under 500 lines, functions under 60.

Run by ./scripts/test. Generated migrations are exempt. ``ALLOWED`` names the offenders that
existed when the check came in, each with the size it may not exceed; an entry is removed when
its module or function is split, and the list only ever shrinks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
ROOT = Path(__file__).resolve().parent.parent / "samverkan"
ALLOWED: dict[str, int] = {}  # empty: every module and function is within the limits


def offences(root: Path = ROOT) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        if "/migrations/versions/" in rel:
            continue
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES and lines > ALLOWED.get(rel, 0):
            found.append(f"{rel}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{rel}::{node.name}"
                if size > MAX_FUNCTION_LINES and size > ALLOWED.get(key, 0):
                    found.append(f"{key}: {size} lines (at most {MAX_FUNCTION_LINES})")
    return found


def main() -> int:
    found = offences()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
