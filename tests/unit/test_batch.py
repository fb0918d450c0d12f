"""One way to expand FILE|DIR arguments for every command, and the batch's typed outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from signer.batch import Batch, Limits, Outcome, Status, expand_inputs
from signer.errors import ExitCode, InputError, KinerjaError, MissingDependency
from signer.office.probe import OfficeMissing


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7\n")
    return path


def test_folders_give_every_pdf_below_them_in_name_order(tmp_path: Path) -> None:
    b = touch(tmp_path / "b.pdf")
    a = touch(tmp_path / "sub" / "a.PDF")
    touch(tmp_path / ".hidden.pdf")
    touch(tmp_path / ".kinerja" / "c.pdf")
    touch(tmp_path / "notes.txt")
    found = expand_inputs([tmp_path])
    assert [f.path for f in found] == [b, a]
    assert [f.relative for f in found] == [Path("b.pdf"), Path("sub/a.PDF")]


def test_a_file_given_twice_counts_once_and_keeps_its_name(tmp_path: Path) -> None:
    pdf = touch(tmp_path / "x" / "pk.pdf")
    found = expand_inputs([pdf, tmp_path])
    assert [(f.path, f.relative) for f in found] == [(pdf, Path("pk.pdf"))]


def test_a_missing_path_is_kept_for_the_stage_to_report(tmp_path: Path) -> None:
    found = expand_inputs([tmp_path / "hilang.pdf"])
    assert [f.path.name for f in found] == ["hilang.pdf"]


def test_a_folder_without_pdfs_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    touch(tmp_path / "full" / "a.pdf")
    with pytest.raises(InputError, match=r"no PDF files in .*empty"):
        expand_inputs([tmp_path / "empty", tmp_path / "full"])


def test_outcomes_carry_typed_values_and_failures_never_raise() -> None:
    def work(n: int) -> Outcome[int]:
        if n == 2:
            raise InputError(f"{n}: bad")
        if n == 3:
            raise RuntimeError("kaput")
        return Outcome(str(n), Status.DONE, value=n * n)

    batch: Batch[int, int] = Batch("t", work, str, jobs=2, progress=False)
    outcomes = batch.run([1, 2, 3, 4])
    assert [o.value for o in outcomes] == [1, None, None, 16]
    assert outcomes[1].status is Status.FAILED and outcomes[1].detail == "2: bad"
    assert "internal error" in outcomes[2].detail and "kaput" in outcomes[2].detail


def test_exit_codes_are_bound_to_the_errors() -> None:
    assert KinerjaError("x").exit_code is ExitCode.BAD_INPUT
    assert MissingDependency("x").exit_code is ExitCode.MISSING_DEPENDENCY
    # a missing LibreOffice is not bad input
    assert OfficeMissing("x").exit_code is ExitCode.MISSING_DEPENDENCY
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 130]


def _hostile(n: int) -> Outcome[int]:
    """Item 2 kills its worker, item 3 sleeps past the time limit, item 4 asks for too much."""
    import os
    import signal
    import time

    if n == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    if n == 3:
        time.sleep(30)
    if n == 4:
        bytearray(1024 * 1024 * 1024)
    return Outcome(str(n), Status.DONE, value=n)


def test_a_worker_that_dies_costs_its_item_only() -> None:
    limits = Limits(memory_mb=256, seconds=2)
    batch: Batch[int, int] = Batch(
        "t", _hostile, str, jobs=2, progress=False, processes=True, limits=limits
    )
    outcomes = batch.run([1, 2, 3, 4, 5, 6])
    assert [o.value for o in outcomes] == [1, None, None, None, 5, 6]
    assert "was killed" in outcomes[1].detail
    assert "took longer than 2 s" in outcomes[2].detail
    assert "MemoryError" in outcomes[3].detail


def test_stream_gives_each_outcome_once_as_it_completes() -> None:
    import time

    def work(n: int) -> Outcome[int]:
        time.sleep(0.05 if n == 0 else 0.0)  # the first item finishes last
        return Outcome(str(n), Status.DONE, value=n)

    batch: Batch[int, int] = Batch("t", work, str, jobs=2, progress=False)
    streamed = list(batch.stream(range(6)))
    assert sorted(i for i, _ in streamed) == list(range(6))
    assert all(o.value == i for i, o in streamed)
    assert streamed[0][0] != 0  # not held back for the slow first item
    assert [o.value for o in batch.run(range(6))] == list(range(6))
