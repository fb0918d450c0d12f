"""`kinerja archive` and `evaluate --archive` end to end on real signed agreements, on SQLite
and (with $KINERJA_TEST_POSTGRES) PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signer.archive import open_registry
from tests.archive_db import backends, fresh_database
from tests.conftest import KINERJA, run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]


@pytest.fixture(params=backends())
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path)


def _env(db: str) -> dict[str, str]:
    return {**os.environ, "KINERJA_DB": db}  # a URL with a password goes in the environment


def _json(stdout: str) -> object:
    return json.loads(stdout)


def test_add_twice_list_show_reverify_and_evaluate_into_the_archive(
    signed_example: Path, demo_store: Path, example_realisasi: Path, db: str, tmp_path: Path
) -> None:
    trust = ("--trust", str(demo_store))
    pdfs = sorted(signed_example.glob("*.pdf"))
    added = run_kinerja("archive", "add", str(signed_example), *trust, "--json", env=_env(db))
    assert added.returncode == 0, added.stderr
    files = _json(added.stdout)["files"]  # type: ignore[index]
    assert [f["stored"] for f in files] == ["added"] * len(pdfs)
    # the same files again (an interrupted add run again) are not verified again: even with
    # nothing trusted, where a verification could prove nothing, they are kept as they were
    again = run_kinerja(
        "archive", "add", str(signed_example), "--offline", "--json", env=_env(db), cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    kept = _json(again.stdout)["files"]  # type: ignore[index]
    assert {(f["stored"], f["verdict"]) for f in kept} == {("same", "VALID")}
    assert all("not verified again" in f["detail"] for f in kept)

    listed = _json(run_kinerja("archive", "list", "--json", env=_env(db)).stdout)
    assert isinstance(listed, list) and len(listed) == len(pdfs)
    assert {row["verdict"] for row in listed} == {"VALID"}
    pk = next(row for row in listed if row["id"].startswith("pk-"))
    with open_registry(db) as registry:
        archived = registry.pdf(pk["kode"])
    assert archived == (signed_example / pk["berkas"]["nama"]).read_bytes()

    evaluated = run_kinerja(
        "evaluate",
        str(signed_example),
        "--realisasi",
        str(example_realisasi),
        *trust,
        "--json",
        "--archive",
        env=_env(db),
    )
    assert evaluated.returncode == 0, evaluated.stderr
    shown = run_kinerja("archive", "show", pk["kode"], "--json", env=_env(db))
    assert shown.returncode == 0, shown.stderr
    detail = _json(shown.stdout)
    assert isinstance(detail, dict)
    assert [e["periode"] for e in detail["evaluasi"]] == ["tahunan"]
    assert detail["evaluasi"][0]["kategori"]
    roles = [s["role"] for s in detail["laporan"]["signatures"]]
    assert roles == ["pihak-pertama", "pihak-kedua"]
    assert all(s["time_source"] == "timestamp" for s in detail["laporan"]["signatures"])

    reverified = run_kinerja("archive", "reverify", *trust, "--json", env=_env(db))
    assert reverified.returncode == 0, reverified.stderr
    assert {r["after"] for r in _json(reverified.stdout)} == {"VALID"}  # type: ignore[union-attr]
    # with nothing trusted, nothing can be proven: recorded, and the exit says so
    distrust = run_kinerja("archive", "reverify", "--offline", "--json", env=_env(db), cwd=tmp_path)
    assert distrust.returncode == 1, distrust.stderr
    assert {r["after"] for r in _json(distrust.stdout)} == {"INDETERMINATE"}  # type: ignore[union-attr]
    with open_registry(db) as registry:
        assert [h.verdict for h in registry.history(pk["kode"])] == [
            "VALID",
            "VALID",
            "INDETERMINATE",
        ]


def test_an_interrupted_reverify_is_carried_on_and_verifies_each_agreement_once(
    signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'arsip.sqlite'}"
    trust = ("--trust", str(demo_store), "--db", db)
    assert run_kinerja("archive", "add", str(signed_example), *trust).returncode == 0
    count = len(list(signed_example.glob("*.pdf")))

    def reverified() -> int:  # verifications recorded since the archive was filled
        with sqlite3.connect(tmp_path / "arsip.sqlite") as c:
            return int(c.execute("SELECT count(*) FROM riwayat_verifikasi").fetchone()[0]) - count

    first = subprocess.Popen(
        [KINERJA, "archive", "reverify", *trust, "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while reverified() == 0 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGINT)  # Ctrl-C, after the first verdict is recorded
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    assert "Traceback" not in err
    stamp = re.search(r"--not-verified-since (\S+) carries on", err)
    assert stamp is not None, err
    assert err.strip().splitlines()[-1] == f"interrupted; {stamp.group(0)}"
    before = reverified()
    assert 0 < before < count  # some recorded, some not: the run was cut in the middle

    rest = run_kinerja("archive", "reverify", *trust, "--not-verified-since", stamp.group(1))
    assert rest.returncode == 0, rest.stderr
    assert f"carrying on: {before} of {count} archived agreements" in rest.stderr
    assert rest.stdout.strip() == f"{count} of {count} VALID"
    assert reverified() == count  # each agreement once, over the two runs
    with open_registry(db) as registry:
        for code in registry.codes():
            assert [h.verdict for h in registry.history(code)] == ["VALID", "VALID"]

    bad = run_kinerja("archive", "reverify", *trust, "--not-verified-since", "kemarin")
    assert bad.returncode == 2 and "--not-verified-since kemarin" in bad.stderr


def test_a_tampered_copy_is_not_archived_and_a_later_revision_replaces(
    signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'arsip.sqlite'}"
    pdf = next(p for p in sorted(signed_example.glob("pk-*.pdf")))
    trust = ("--trust", str(demo_store), "--db", db)
    assert run_kinerja("archive", "add", str(pdf), *trust).returncode == 0

    tampered = tmp_path / "tampered" / pdf.name
    tampered.parent.mkdir()
    data = bytearray(pdf.read_bytes())
    at = data.index(b"/Contents", len(data) // 3)
    data[at - 40] ^= 1  # a byte inside the signed range
    tampered.write_bytes(bytes(data))
    refused = run_kinerja("archive", "add", str(tampered), *trust)
    assert refused.returncode == 1
    assert "not archived" in refused.stderr and "Traceback" not in refused.stderr

    extended = tmp_path / "extended" / pdf.name
    extended.parent.mkdir()
    shutil.copy(pdf, extended)
    assert run_kinerja("extend", str(extended), "--keys", str(demo_store)).returncode == 0
    replaced = run_kinerja("archive", "add", str(extended), *trust, "--json")
    assert replaced.returncode == 0, replaced.stderr
    assert _json(replaced.stdout)["files"][0]["stored"] == "replaced"  # type: ignore[index]
    with open_registry(db) as registry:
        (code,) = registry.codes()
        assert registry.pdf(code) == extended.read_bytes()
    # the original again is not a later revision of what is archived now: refused, kept
    conflict = run_kinerja("archive", "add", str(pdf), *trust)
    assert conflict.returncode == 1 and "another file" in conflict.stderr


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bukan.pdf").write_text("hello")
    db = f"sqlite:///{tmp_path / 'arsip.sqlite'}"
    result = run_kinerja("archive", "add", str(tmp_path / "bukan.pdf"), "--db", db, "--offline")
    assert result.returncode == 2 and "not a PDF" in result.stderr
    assert "Traceback" not in result.stderr
    secret = run_kinerja("archive", "list", "--db", "postgresql://kinerja:rahasia@127.0.0.1/x")
    assert secret.returncode == 2 and "KINERJA_DB" in secret.stderr
    assert "rahasia" not in secret.stderr + secret.stdout
    unknown = run_kinerja("archive", "show", "ab" * 32, "--db", db)
    assert unknown.returncode == 2 and "not in the archive" in unknown.stderr
    mysql = run_kinerja("archive", "list", "--db", "mysql://u@localhost/x")
    assert mysql.returncode == 2 and "SQLite or PostgreSQL" in mysql.stderr
