"""The library's import graph, by unit, and the rules of the data flow it must keep.

A unit is a subpackage of ``signer`` (``signer.verify``) or a top-level module
(``signer.model``). Every import counts, those made inside functions too. Rules (DESIGN.md):
no circle between units; the shared layer imports no stage; a stage imports only the shared
layer and earlier stages, never a later one; the example imports only the shared layer and the
workbooks; only the shell (``signer.demo``) may import everything.

    python tools/import_graph.py          # the graph, layer by layer, and any violation
    python tools/import_graph.py --check  # exit 1 on a violation (the tests run this)
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = {
    "signer",
    "signer.errors",
    "signer.kinds",
    "signer.model",
    "signer.names",
    "signer.secret",
    "signer.algorithms",
    "signer.fsio",
    "signer.formatting",
    "signer.canonical",
    "signer.embedded",
    "signer.batch",
    "signer.trust",
    "signer.office",
    "signer.demo_pki",
    "signer.xlsxtext",
    "signer.display",
    "signer.remote",
    "signer.signed_roles",
    "signer.verify_url",
}
STAGES = [
    "signer.workbooks",
    "signer.generate",
    "signer.sign",
    "signer.verify",
    "signer.evaluate",
    "signer.archive",
    "signer.web",
]
EXAMPLE = "signer.example"
SHELL = {"signer.demo", "signer.demo_bsre", "signer.terminal"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imports(path: Path) -> set[str]:
    """Every ``signer`` module this file imports, at the top or inside a function."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "signer":  # modules by name; anything else is from signer/__init__
                for a in node.names:
                    is_module = (ROOT / "signer" / f"{a.name}.py").exists() or (
                        ROOT / "signer" / a.name
                    ).is_dir()
                    out.add(f"signer.{a.name}" if is_module else "signer")
            elif node.module.startswith("signer."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("signer")}
    return out


def unit_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted((ROOT / "signer").rglob("*.py")):
        me = unit_of(module_name(path))
        graph[me]
        for target in imports(path):
            other = unit_of(target)
            if other != me:
                graph[me].add(other)
    return dict(graph)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def violations(graph: dict[str, set[str]]) -> list[str]:
    out = [f"import circle: {' -> '.join(c)}" for c in cycles(graph)]
    for unit, targets in sorted(graph.items()):
        for target in sorted(targets):
            if unit in SHARED and target not in SHARED:
                out.append(f"{unit} (shared) imports {target}")
            elif unit in STAGES:
                later = target in STAGES and STAGES.index(target) > STAGES.index(unit)
                if later or target == EXAMPLE or target in SHELL:
                    out.append(f"{unit} (stage {STAGES.index(unit) + 1}) imports {target}")
            elif unit == EXAMPLE and target not in SHARED and target != "signer.workbooks":
                out.append(f"{unit} (example) imports {target}")
    return out


def layers(graph: dict[str, set[str]]) -> dict[str, int]:
    """Each unit's layer: 0 for a unit that imports nothing, else one above its highest import."""
    memo: dict[str, int] = {}

    def depth(node: str, seen: frozenset[str]) -> int:
        if node in memo:
            return memo[node]
        below = [depth(t, seen | {node}) for t in graph.get(node, ()) if t not in seen]
        memo[node] = 1 + max(below) if below else 0
        return memo[node]

    for node in graph:
        depth(node, frozenset())
    return memo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Exit 1 on a violation.")
    args = parser.parse_args()
    graph = unit_graph()
    problems = violations(graph)
    if not args.check:
        by_layer: dict[int, list[str]] = defaultdict(list)
        for unit, layer in layers(graph).items():
            by_layer[layer].append(unit)
        edges = sum(len(t) for t in graph.values())
        print(f"{len(graph)} units on {len(by_layer)} layers, {edges} import edges")
        for layer in sorted(by_layer):
            for unit in sorted(by_layer[layer]):
                targets = ", ".join(t.removeprefix("signer.") for t in sorted(graph[unit]))
                print(f"  {layer}  {unit.removeprefix('signer.') or 'signer'}: {targets}")
    for p in problems:
        print(f"violation: {p}")
    if not problems and not args.check:
        print("no circle, no stage imports a later stage, the shared layer imports no stage")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
