"""The layout keeps the data flow: no import circle, no stage importing a later one, no module
grown past a size a reader can hold."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 600


def graph_tool() -> ModuleType:
    path = ROOT / "tools" / "import_graph.py"
    spec = importlib.util.spec_from_file_location("import_graph", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_library_keeps_the_data_flow() -> None:
    tool = graph_tool()
    assert tool.violations(tool.unit_graph()) == []


def test_the_rules_catch_what_they_forbid() -> None:
    tool = graph_tool()
    bad = {
        "signer.model": {"signer.verify"},  # shared importing a stage
        "signer.sign": {"signer.verify"},  # a stage importing a later one
        "signer.verify": {"signer.sign"},  # ... which closes a circle
        "signer.example": {"signer.generate"},
    }
    found = "\n".join(tool.violations(bad))
    assert "import circle" in found
    assert "signer.model (shared) imports signer.verify" in found
    assert "signer.sign (stage 3) imports signer.verify" in found
    assert "signer.example (example) imports signer.generate" in found


def test_no_library_module_is_over_600_lines() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text().splitlines())
        for p in (ROOT / "signer").rglob("*.py")
    }
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}
    assert len((ROOT / "cli.py").read_text().splitlines()) <= 2 * MAX_LINES
