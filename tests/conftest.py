"""Shared fixtures: the example workspace, its demo key store, a few of its agreements generated
and signed once per session, and a way to run the real `kinerja` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

KINERJA = str(Path(sys.executable).with_name("kinerja"))

GENERATED = frozenset({"prepared_example", "signed_example", "prepared_with_url"})
"""The session fixtures that start LibreOffice: a test that takes one is `slow` and `office`."""


LONGEST_FIRST = (
    "test_verify_attacks.py",
    "test_ceremony_lain.py",
    "test_demo_bsre.py",
    "test_demo.py",
    "test_hostile_workbooks.py",
    "test_sign.py",
    "test_generate.py",
    "test_cluster.py",
    "test_evaluate.py",
    "test_verify_remote.py",
    "test_bsre_sign.py",
    "test_verify_fuzz.py",
    "test_archive.py",
    "test_verify.py",
)
"""The longest test files (1 to 6 minutes each in CI), longest first, handed to the test
workers first: with `--dist loadfile` a file runs whole on one worker, and a long one started
last leaves the other workers idle until it ends. (`make test` passes --no-loadscope-reorder:
by default xdist re-sorts the files by their number of tests, which put the long one-test files
last.)"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first; and keep the markers honest: `-m "not office"` never reaches a
    fixture that needs LibreOffice."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as found
    unmarked = [
        item.nodeid
        for item in items
        if GENERATED & set(getattr(item, "fixturenames", ()))
        and not (item.get_closest_marker("slow") and item.get_closest_marker("office"))
    ]
    if unmarked:
        raise pytest.UsageError(
            "tests that take generated PDFs must be marked slow and office: " + ", ".join(unmarked)
        )


@pytest.fixture(scope="session")
def example_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace written by `kinerja init`, shared read-only by the tests."""
    from signer.example.workspace import write_workspace

    folder = tmp_path_factory.mktemp("example")
    write_workspace(folder)
    return folder


@pytest.fixture(scope="session")
def demo_store(example_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo key store for the example's parties, shared read-only by the tests."""
    from signer.demo import make_demo_store

    folder = tmp_path_factory.mktemp("store") / "keys"
    make_demo_store(folder, example_workspace / "kinerja.xlsx")
    return folder


EXAMPLE_UNITS = ("DINKES", "SETDA", "INSPEKTORAT")
"""Units whose agreements `prepared_example` generates, beside the first Bagian."""


def example_units(workbook: Path) -> tuple[str, ...]:
    """The units of `prepared_example`: :data:`EXAMPLE_UNITS` and the first unit whose pihak
    kedua is not the kepala daerah (a Bagian, whose pihak kedua is the Sekda)."""
    from signer.workbooks.ceremony_read import read_workbook

    ceremony = read_workbook(workbook)
    bagian = next(a.unit.kode for a in ceremony.agreements if not a.pihak_kedua.kepala_daerah)
    return (*EXAMPLE_UNITS, bagian)


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _read_only(folder: Path) -> Iterator[Path]:
    """Yield ``folder``; at the end of the session, fail if a test changed anything in it."""
    before = _contents(folder)
    yield folder
    after = _contents(folder)
    changed = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
    assert not changed, f"a test changed the shared {folder}: {changed} (copy it first)"


@pytest.fixture(scope="session")
def prepared_example(
    example_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Ready-to-sign PDFs (Perjanjian Kinerja and Pakta Integritas) of :func:`example_units`,
    generated once (LibreOffice) without the generate manifest. Read-only: copy before changing."""
    from signer.batch import Status
    from signer.generate.stage import MANIFEST, GenerateOptions, generate
    from signer.model import Ceremony
    from signer.workbooks.ceremony_read import read_workbook

    book = example_workspace / "kinerja.xlsx"
    ceremony = read_workbook(book)
    units = example_units(book)
    picked = tuple(a for a in ceremony.agreements if a.unit.kode in units)
    out = tmp_path_factory.mktemp("prepared-example")
    outcomes = generate(
        Ceremony(ceremony.instansi, ceremony.tahun, picked),
        book,
        GenerateOptions(out=out, jobs=2, progress=False),
    )
    assert len(outcomes) == 2 * len(units)
    assert {o.status for o in outcomes} == {Status.DONE}, outcomes
    (out / MANIFEST).unlink()
    yield from _read_only(out)


@pytest.fixture(scope="session")
def signed_example(
    prepared_example: Path, demo_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """`prepared_example` signed by both parties at PAdES B-LTA with the demo key store, once.
    Read-only: copy before changing."""
    from signer.batch import Status, expand_inputs
    from signer.model import Peran
    from signer.sign import Level, SignOptions, sign_files
    from tests.helpers import demo_audit, demo_backend

    out = tmp_path_factory.mktemp("signed-example") / "signed"
    shutil.copytree(prepared_example, out)
    backend, audit = demo_backend(demo_store), demo_audit(demo_store)
    files = expand_inputs([out])
    for role in Peran:
        done = sign_files(
            files, backend, audit, SignOptions(role, Level.B_LTA, jobs=2, progress=False)
        )
        assert {o.status for o in done} == {Status.DONE}, done
    yield from _read_only(out)


VERIFY_URL = "https://sakip.example.go.id/v/"
"""The Alamat Verifikasi of :func:`prepared_with_url`."""


@pytest.fixture(scope="session")
def prepared_with_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """DINKES's ready-to-sign Perjanjian Kinerja and Pakta Integritas of the example with
    :data:`VERIFY_URL` as its Alamat Verifikasi, on A4 (``a4/``) and F4 (``f4/``), generated once.
    Read-only: copy before changing."""
    from signer.batch import Status
    from signer.example.workspace import write_workspace
    from signer.generate.render import Kertas
    from signer.generate.stage import MANIFEST, GenerateOptions, generate
    from signer.model import Ceremony
    from signer.workbooks.ceremony_read import read_workbook

    folder = tmp_path_factory.mktemp("example-url")
    write_workspace(folder, verify_url=VERIFY_URL)
    book = folder / "kinerja.xlsx"
    ceremony = read_workbook(book)
    picked = tuple(a for a in ceremony.agreements if a.unit.kode == "DINKES")
    out = tmp_path_factory.mktemp("prepared-url")
    for kertas in Kertas:
        outcomes = generate(
            Ceremony(ceremony.instansi, ceremony.tahun, picked),
            book,
            GenerateOptions(out=out / kertas.value, kertas=kertas, jobs=2, progress=False),
        )
        assert {o.status for o in outcomes} == {Status.DONE}, outcomes
        (out / kertas.value / MANIFEST).unlink()
    yield from _read_only(out)


@pytest.fixture()
def workspace(example_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the example workspace that a test may change."""
    target = tmp_path / "ws"
    shutil.copytree(example_workspace, target)
    return target


def edit_workbook(
    path: Path,
    edits: dict[tuple[str, str], Any] | None = None,
    change: Callable[[Any], None] | None = None,
) -> Path:
    """Change cells of a workbook in place: {(sheet, "B3"): value}, or any change(workbook)."""
    wb = load_workbook(path)
    for (sheet, ref), value in (edits or {}).items():
        wb[sheet][ref] = value
    if change:
        change(wb)
    wb.save(path)
    return path


def run_kinerja(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run the installed `kinerja` command as a user would."""
    return subprocess.run(
        [KINERJA, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )


@pytest.fixture(scope="session")
def example_realisasi(example_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A realisasi workbook of the example's values for exactly the units of `prepared_example`
    (evaluation reports a unit of the workbook with no agreement in force), read-only."""
    from signer.example.workspace import ceremony, realisasi
    from signer.workbooks.realisasi import write_realisasi

    units = set(example_units(example_workspace / "kinerja.xlsx"))
    c = ceremony()
    values, spent = realisasi(c)
    picked = [a for a in c.agreements if a.unit.kode in units and a.jenis.has_targets]
    path = tmp_path_factory.mktemp("realisasi") / "realisasi.xlsx"
    write_realisasi(picked, path, values, spent)
    return path
