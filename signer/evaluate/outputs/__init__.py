"""The evaluation's output files, one writer per format.

``WRITERS`` is the table of formats; a new format is one module with a ``write(evaluation,
path)`` function and one row here. A writer's module is imported only when its format is asked
for, so JSON and xlsx never start LibreOffice (only the PDF needs it).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from signer.errors import InputError
from signer.evaluate.results import Evaluation
from signer.office.probe import require_office


class WriterModule(Protocol):
    def write(self, evaluation: Evaluation, path: Path) -> None:
        """Write ``evaluation`` to ``path`` atomically."""
        ...


@dataclass(frozen=True)
class OutputFormat:
    """One output format of the evaluation."""

    name: str
    """The name given to ``--format``."""
    file_name: str
    """The file written into the output folder."""
    module: str
    """The module whose ``write(evaluation, path)`` writes it, imported on first use."""
    description: str
    needs_office: bool = False
    """Made through LibreOffice: checked before any file is written."""

    def write(self, evaluation: Evaluation, path: Path) -> None:
        cast(WriterModule, importlib.import_module(self.module)).write(evaluation, path)


WRITERS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "json", "evaluasi.json", "signer.evaluate.outputs.jsonfile", "kinerja.evaluasi/1"
        ),
        OutputFormat(
            "xlsx", "evaluasi.xlsx", "signer.evaluate.outputs.xlsx", "summary and a sheet per unit"
        ),
        OutputFormat(
            "pdf",
            "evaluasi.pdf",
            "signer.evaluate.outputs.pdf",
            "report with chart (LibreOffice)",
            needs_office=True,
        ),
    )
}


def parse_formats(text: str | Iterable[str]) -> tuple[OutputFormat, ...]:
    """Formats from ``"json,xlsx"`` (or a list of names), in the order given, no repeats."""
    names = text.split(",") if isinstance(text, str) else list(text)
    chosen: list[OutputFormat] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in WRITERS:
            raise InputError(f"--format {name}: unknown format (known: {', '.join(WRITERS)})")
        if WRITERS[name] not in chosen:
            chosen.append(WRITERS[name])
    if not chosen:
        raise InputError(f"--format: give at least one of {', '.join(WRITERS)}")
    return tuple(chosen)


def write_outputs(
    evaluation: Evaluation, out: Path, formats: Sequence[OutputFormat] = tuple(WRITERS.values())
) -> list[Path]:
    """One file per format in ``out``, each written atomically; returns the paths written.

    A missing LibreOffice is found before anything is written, not after the JSON.
    """
    if any(f.needs_office for f in formats):
        require_office()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for f in formats:
        path = out / f.file_name
        f.write(evaluation, path)
        written.append(path)
    return written
