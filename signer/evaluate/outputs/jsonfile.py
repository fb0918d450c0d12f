"""evaluasi.json: the evaluation as the `kinerja.evaluasi/1` JSON document."""

from __future__ import annotations

from pathlib import Path

from signer import fsio
from signer.evaluate.results import Evaluation


def write(evaluation: Evaluation, path: Path) -> None:
    fsio.write_bytes(path, evaluation.to_json().encode("utf-8"))
