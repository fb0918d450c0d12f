"""No lost signature, no lost agreement: a signed copy is never replaced by one with less, a
destination holding another agreement is refused, and two commands never write one folder at
once (generate and sign together: the second waits or refuses, no signature dropped)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from signer.generate.stage import is_signed
from tests.conftest import KINERJA, run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]

DINKES = ("pk-2026-dinkes.pdf", "pi-2026-dinkes.pdf")


@pytest.fixture()
def src(prepared_example: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "siap"
    folder.mkdir()
    for name in DINKES:
        shutil.copy(prepared_example / name, folder / name)
    return folder


def kinerja(*args: str, wait: float | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"KINERJA_LOCK_WAIT": str(wait)} if wait is not None else {})}
    result = run_kinerja(*args, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def sign(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return kinerja("sign", *args, "--keys", str(store), "-j", "1")


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def verdicts(folder: Path, store: Path) -> dict[str, str]:
    result = kinerja("verify", str(folder), "--trust", str(store), "--json")
    return {Path(r["file"]).name: r["verdict"] for r in json.loads(result.stdout)["documents"]}


def test_signing_again_into_out_never_replaces_a_countersigned_copy(
    src: Path, demo_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ditandatangani"
    assert (
        sign(str(src), "--role", "pihak-pertama", "-o", str(out), store=demo_store).returncode == 0
    )
    assert sign(str(out), "--role", "pihak-kedua", store=demo_store).returncode == 0
    both = contents(out)
    # exactly what "run it again to carry on" suggests, and the other role too
    for role in ("pihak-pertama", "pihak-kedua"):
        again = sign(str(src), "--role", role, "-o", str(out), "--json", store=demo_store)
        assert again.returncode == 0, again.stderr
        assert {r["status"] for r in json.loads(again.stdout)} == {"skipped"}
        assert contents(out) == both
    assert set(verdicts(out, demo_store).values()) == {"VALID"}

    # a copy signed apart from OUT's (the sources signed in place meanwhile) is not let in
    assert sign(str(src), "--role", "pihak-pertama", store=demo_store).returncode == 0
    apart = sign(str(src), "--role", "pihak-kedua", "-o", str(out), store=demo_store)
    assert apart.returncode == 0, apart.stderr
    kept = [line for line in apart.stdout.splitlines() if line.startswith("kept: ")]
    assert len(kept) == 2
    assert "already signed by pihak-pertama and pihak-kedua; not replaced" in kept[0]
    assert contents(out) == both


def test_a_destination_holding_another_agreement_is_refused(
    src: Path, demo_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lain"
    out.mkdir()
    pk, pi = DINKES
    shutil.copy(src / pi, out / pk)  # another agreement where pk's copy would go
    result = sign(str(src), "--role", "pihak-pertama", "-o", str(out), store=demo_store)
    assert result.returncode == 2
    assert f"{out / pk}: not replaced, it holds another agreement (pi-2026-dinkes" in result.stderr
    assert "nothing was signed" in result.stderr
    assert contents(out) == {pk: (src / pi).read_bytes()}


def test_generate_and_sign_on_one_folder_never_drop_a_signature(
    workspace: Path, src: Path, demo_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "keluaran"
    shutil.copytree(src, out)  # ready to sign, but without generate's manifest: made again
    book = workspace / "kinerja.xlsx"
    generate = subprocess.Popen(
        [KINERJA, "generate", str(book), "-o", str(out), "--only", "DINKES", "-j", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waiting: subprocess.Popen[str] | None = None
    try:
        lock = out / ".kinerja.lock"
        for _ in range(1200):
            if lock.exists() and f'"pid": {generate.pid}' in lock.read_text():
                break
            time.sleep(0.05)
        # held now (only the holder writes its pid there): pause generate while it holds it
        os.kill(generate.pid, signal.SIGSTOP)
        assert generate.poll() is None, "generate ended before the test could pause it"
        busy = sign(str(out), "--role", "pihak-pertama", store=demo_store)
        assert busy.returncode == 2, busy.stderr
        assert f"{out} is being written by `kinerja generate` (pid {generate.pid}) since" in (
            busy.stderr
        )
        # one that waits long enough signs what generate wrote, after it
        waiting = subprocess.Popen(
            [KINERJA, "sign", str(out), "--role", "pihak-pertama", "--keys", str(demo_store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "KINERJA_LOCK_WAIT": "600"},
        )
        time.sleep(3)
        os.kill(generate.pid, signal.SIGCONT)
        _, err = generate.communicate(timeout=600)
        assert generate.returncode == 0, err
        _, err = waiting.communicate(timeout=600)
        assert waiting.returncode == 0, err
    finally:
        for proc in (generate, waiting):
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
                proc.kill()
    signed = contents(out)
    assert sorted(signed) == sorted(DINKES)
    assert all(is_signed(out / name) for name in signed)
    # generate again: signed copies are kept, never regenerated over
    again = kinerja("generate", str(book), "-o", str(out), "--only", "DINKES", "--json")
    assert again.returncode == 0, again.stderr
    assert {r["status"] for r in json.loads(again.stdout)} <= {"kept", "skipped"}
    assert contents(out) == signed


def test_a_damaged_signed_copy_counts_as_signed(
    signed_example: Path, prepared_example: Path, tmp_path: Path
) -> None:
    data = (signed_example / DINKES[0]).read_bytes()
    damaged = tmp_path / DINKES[0]
    damaged.write_bytes(data[:-500])  # its end (xref, trailer) lost: no longer reads as signed
    assert is_signed(damaged)
    damaged.write_bytes(data[:4000] + b"\0" * 100 + data[4100:])
    assert is_signed(damaged)
    assert not is_signed(prepared_example / DINKES[0])
    assert not is_signed(tmp_path / "nothing-here.pdf")


def test_a_second_pakta_integritas_of_a_unit_is_its_own_valid_document(
    example_workspace: Path, demo_store: Path, tmp_path: Path
) -> None:
    """Another official's Pakta Integritas for DINKES (id with the NIP) is generated beside the
    head's, signed by both parties and verifies VALID: the id on its pages, in its embedded file
    name and in its data agree."""
    from dataclasses import replace

    from signer.generate import GenerateOptions, generate
    from signer.kinds import JenisDokumen
    from signer.model import Ceremony
    from signer.verify.run import prepared_problems
    from signer.workbooks.ceremony_read import read_workbook
    from tests.helpers import sign_roles

    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    pakta = [a for a in ceremony.agreements if a.jenis is JenisDokumen.PAKTA_INTEGRITAS]
    head = next(a for a in pakta if a.unit.kode == "DINKES")
    # the Sekretaris of another unit (a demo-store party) also pledges for DINKES
    other = next(a for a in pakta if a.unit.kode == "SETDA").pihak_pertama
    assert other.nip is not None
    second = replace(head, pihak_pertama=other, id_pejabat=True)
    assert second.id == f"{head.id}-{other.nip.digits}"
    out = tmp_path / "keluaran"
    outcomes = generate(
        Ceremony(ceremony.instansi, ceremony.tahun, (head, second)),
        example_workspace / "kinerja.xlsx",
        GenerateOptions(out=out, jobs=1, progress=False, audit=prepared_problems),
    )
    assert sorted(o.name for o in outcomes) == sorted([f"{head.id}.pdf", f"{second.id}.pdf"])
    assert {o.status.value for o in outcomes} == {"done"}, outcomes
    for pdf in out.glob("*.pdf"):
        pdf.write_bytes(sign_roles(pdf.read_bytes(), demo_store))
    assert verdicts(out, demo_store) == {f"{head.id}.pdf": "VALID", f"{second.id}.pdf": "VALID"}
