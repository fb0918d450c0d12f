"""The demo ceremony: every stage that exists, run on the example workspace, offline.

Grows with each stage; today it writes the example workspace and reads the ceremony from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .example import WORKBOOK, write_workspace
from .workbook import read_workbook


@dataclass(frozen=True)
class Step:
    name: str
    detail: str


def run(folder: Path, report: Callable[[Step], None] = lambda s: None) -> list[Step]:
    """Run the demo ceremony in ``folder`` (created or refreshed) and return what each step did."""
    steps: list[Step] = []

    def done(name: str, detail: str) -> None:
        step = Step(name, detail)
        steps.append(step)
        report(step)

    write_workspace(folder, force=True)
    done("init", f"example workspace in {folder}")
    ceremony = read_workbook(folder / WORKBOOK)
    pk = sum(1 for a in ceremony.agreements if a.jenis.has_targets)
    done(
        "read",
        f"{len(ceremony.agreements)} agreements ({pk} with targets) of "
        f"{ceremony.instansi.nama}, {ceremony.tahun}",
    )
    return steps
