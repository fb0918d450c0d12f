"""Names as certificates carry them, end to end: a party whose plain name is over 64 characters
signs and verifies VALID; two parties with one plain name need pinned certificates; a batch is
checked whole before anything is signed; `kinerja check` warns."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer.names import plain_name
from tests.conftest import edit_workbook, run_kinerja

RINA_NIP = "197405122001122003"
LONG_PERTAMA = (
    "Prof. Dr. dr. Hj. Raden Ayu Siti Nurhaliza Kusumawardhani Wulandari Prawirodirdjo "
    "Hadiningrat, Sp.A(K), M.Kes., Ph.D."
)
LONG_KEDUA = (
    "Dr. (H.C.) Ir. H. Muhammad Abdurrahman Wahyudi Kusumanegara Prawiranegara "
    "Suryadiningrat, S.E., M.Si., IPU"
)


def rename(book: Path, names: dict[str, str]) -> None:
    """Give the officials of the Pejabat sheet (by kode) new names."""
    ws = load_workbook(book)["Pejabat"]
    rows = {c.value: c.row for c in ws["A"]}
    edit_workbook(book, {("Pejabat", f"B{rows[kode]}"): nama for kode, nama in names.items()})


def ceremony(workspace: Path, names: dict[str, str], *units: str) -> tuple[Path, Path]:
    """The workspace's workbook with ``names``, its agreements of ``units`` generated, and a
    demo key store for its parties: (folder of PDFs, key store)."""
    book = workspace / "kinerja.xlsx"
    rename(book, names)
    out, keys = workspace / "keluaran", workspace / "kunci"
    only = [arg for u in units for arg in ("--only", u)]
    made = run_kinerja("generate", str(book), "-o", str(out), *only)
    assert made.returncode == 0, made.stderr
    demo = run_kinerja("keys", "demo", str(keys), "--workbook", str(book))
    assert demo.returncode == 0, demo.stderr
    return out, keys


def sign(folder: Path, role: str, keys: Path, *more: str) -> tuple[int, str]:
    r = run_kinerja(
        "sign", str(folder), "--role", role, "--keys", str(keys), "--level", "B-B", *more,
        env={**os.environ, "KINERJA_PASSPHRASE": "demo"},
    )  # fmt: skip
    return r.returncode, r.stdout + r.stderr


def verify(folder: Path, keys: Path, *more: str) -> tuple[int, dict[str, object]]:
    r = run_kinerja("verify", str(folder), "--trust", str(keys), "--json", *more)
    return r.returncode, json.loads(r.stdout)


def fingerprints(keys: Path) -> dict[str, str]:
    """The key store's certificates: file name -> SHA-256 (what `kinerja keys list` shows)."""
    r = run_kinerja("keys", "list", str(keys), "--json")
    assert r.returncode == 0, r.stderr
    return {row["file"]: row["sha256"] for row in json.loads(r.stdout)}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


@pytest.mark.slow
@pytest.mark.office
def test_names_over_64_characters_with_many_gelar_sign_and_verify(workspace: Path) -> None:
    assert len(plain_name(LONG_PERTAMA)) > 64 and len(plain_name(LONG_KEDUA)) > 64
    out, keys = ceremony(workspace, {"KA-DINKES": LONG_PERTAMA, "KDH": LONG_KEDUA}, "DINKES")
    for role in ("pihak-pertama", "pihak-kedua"):
        code, text = sign(out, role, keys)
        assert code == 0, text
    code, report = verify(out, keys)
    documents = report["documents"]
    assert isinstance(documents, list) and len(documents) == 2
    assert {d["verdict"] for d in documents} == {"VALID"}, documents
    for d in documents:
        by_role = {s["role"]: s for s in d["signatures"]}
        first, second = by_role["pihak-pertama"], by_role["pihak-kedua"]
        # the certificate carries the whole plain name in givenName, a shortened commonName
        assert first["subject"]["givenName"] == plain_name(LONG_PERTAMA)
        assert len(first["subject"]["CN"]) <= 64
        assert first["identity"] == {
            "match": "plain",
            "certificate_name": plain_name(LONG_PERTAMA),
            "party": LONG_PERTAMA,
            "plain_name": plain_name(LONG_PERTAMA),
            "certificate_sha256": first["identity"]["certificate_sha256"],
        }
        assert second["identity"]["match"] == "plain"
        identity = next(c for c in first["checks"] if c["name"] == "signer-identity")
        assert f"= pihak pertama '{LONG_PERTAMA}' without gelar" in identity["reason"]


@pytest.mark.slow
@pytest.mark.office
def test_two_parties_with_one_plain_name_need_pinned_certificates(workspace: Path) -> None:
    # the wali kota and the kepala dinas kesehatan happen to share a plain name
    wali = "Prof. Dr. Rina Kartikasari, S.E., M.Si."
    out, keys = ceremony(workspace, {"KDH": wali}, "DINKES")
    before = contents(out)
    code, text = sign(out, "pihak-pertama", keys)
    assert code == 2
    assert "nothing was signed" in text and "pk-2026-dinkes.pdf" in text
    assert contents(out) == before
    sha = fingerprints(keys)
    # key files are named by person: the plain name, the NIP if any, a digest of both
    rina = next(v for k, v in sha.items() if f"rina-kartikasari-{RINA_NIP}-" in k)
    kdh = next(v for k, v in sha.items() if "rina-kartikasari-" in k and RINA_NIP not in k)
    # a certificate file as given to --p12 is refused too: the name cannot tell who holds it
    p12 = next((keys / "pihak").glob(f"rina-kartikasari-{RINA_NIP}-*.p12"))
    r = run_kinerja(
        "sign", str(out / "pk-2026-dinkes.pdf"), "--role", "pihak-pertama", "--p12", str(p12),
        "--level", "B-B", env={**os.environ, "KINERJA_PASSPHRASE": "demo"},
    )  # fmt: skip
    assert r.returncode == 2 and "share the plain name 'Rina Kartikasari'" in r.stderr
    assert contents(out) == before
    # pinned: pihak pertama by NIP, pihak kedua by role
    code, text = sign(out, "pihak-pertama", keys, "--certificate", f"{RINA_NIP}={rina}")
    assert code == 0, text
    # pihak kedua signs after the file is verified as it is: pihak pertama's pin is needed too
    code, text = sign(out, "pihak-kedua", keys, "--certificate", f"pihak-kedua={kdh}")
    assert code == 2 and "pin pihak pertama's certificate" in text
    pins = ["--certificate", f"pihak-kedua={kdh}", "--certificate", f"{RINA_NIP}={rina}"]
    code, text = sign(out, "pihak-kedua", keys, *pins)
    assert code == 0, text
    # verify: by name alone it cannot be VALID; with the pins it is
    code, report = verify(out, keys)
    assert code == 1
    docs = report["documents"]
    assert isinstance(docs, list)
    assert {d["verdict"] for d in docs} == {"INDETERMINATE"}
    failed = {
        c["name"] for d in docs for s in d["signatures"] for c in s["checks"] if not c["passed"]
    }
    assert failed == {"signer-identity"}
    code, report = verify(
        out, keys, "--certificate", f"{RINA_NIP}={rina}", "--certificate", f"{wali}={kdh}"
    )
    docs = report["documents"]
    assert isinstance(docs, list)
    assert code == 0, docs
    assert {s["identity"]["match"] for d in docs for s in d["signatures"]} == {"pinned"}
    # the pins the wrong way round: INVALID
    code, report = verify(
        out, keys, "--certificate", f"{RINA_NIP}={kdh}", "--certificate", f"{wali}={rina}"
    )
    docs = report["documents"]
    assert isinstance(docs, list)
    assert code == 1 and {d["verdict"] for d in docs} == {"INVALID"}


@pytest.mark.slow
@pytest.mark.office
def test_a_batch_is_checked_whole_before_anything_is_signed(
    prepared_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    out, keys = tmp_path / "docs", tmp_path / "keys"
    shutil.copytree(prepared_example, out)
    shutil.copytree(demo_store, keys)
    # the kepala dinas kesehatan's certificate is missing from the key store
    for p12 in (keys / "pihak").glob(f"rina-kartikasari-{RINA_NIP}-*.p12"):
        p12.unlink()
    before = contents(out)
    assert len(before) >= 6
    code, text = sign(out, "pihak-pertama", keys)
    assert code == 2
    assert "2 documents cannot be signed as pihak-pertama, so nothing was signed" in text
    for doc in ("pk-2026-dinkes.pdf", "pi-2026-dinkes.pdf"):
        assert (
            f"{out / doc}: pihak pertama 'dr. Rina Kartikasari, M.Kes.': no certificate in "
            f"{keys} whose holder matches (certificates: '"
        ) in text
    assert contents(out) == before, "nothing of the batch was signed"
