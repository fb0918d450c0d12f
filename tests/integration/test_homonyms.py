"""Officials who share a name are still different people: each has a key file and a certificate
of their own in the demo store, signs with it, and cannot sign as the other.

Three heads of unit are called Ahmad Fauzi, written "H. Ahmad Fauzi, S.T." twice (two people,
two NIPs) and "H. Ahmad Fauzi S.T." once (a third, whose name differs only in punctuation:
the store once named key files after a slug of the name, and one overwrote the other).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer.demo_pki.pki import MANIFEST
from signer.model import Peran
from signer.sign.backend import Level
from signer.sign.keys import load_pkcs12
from signer.sign.pades import PadesSigner
from signer.sign.rules import read_prepared, read_strict
from tests.conftest import edit_workbook, run_kinerja
from tests.helpers import demo_backend, sign_unchecked

FAUZI = {  # unit -> how the Pejabat sheet writes its head's name
    "DINKES": "H. Ahmad Fauzi, S.T.",
    "DISDIK": "H. Ahmad Fauzi, S.T.",
    "DISHUB": "H. Ahmad Fauzi S.T.",
}
ENV = {**os.environ, "KINERJA_PASSPHRASE": "demo"}


def heads_named_fauzi(book: Path) -> dict[str, str]:
    """Give the heads of FAUZI's units their names; returns unit -> the head's NIP."""
    from signer.workbooks.ceremony_read import read_workbook

    ceremony = read_workbook(book)
    nips = {
        a.unit.kode: str(a.pihak_pertama.nip) for a in ceremony.agreements if a.unit.kode in FAUZI
    }
    assert len(set(nips.values())) == len(FAUZI)
    ws = load_workbook(book)["Pejabat"]
    rows = {str(c.value): c.row for c in ws["C"]}
    edit_workbook(book, {("Pejabat", f"B{rows[nips[u]]}"): FAUZI[u] for u in FAUZI})
    return nips


def signer_sha256(pdf: Path, role: Peran) -> str:
    reader = read_strict(pdf.read_bytes(), pdf.name)
    signature = next(s for s in reader.embedded_regular_signatures if s.field_name == role.value)
    return str(signature.signer_cert.sha256.hex())


@pytest.mark.slow
@pytest.mark.office
def test_officials_with_one_name_each_sign_with_their_own_key(workspace: Path) -> None:
    book, out, keys = workspace / "kinerja.xlsx", workspace / "keluaran", workspace / "kunci"
    nips = heads_named_fauzi(book)
    only = [arg for unit in FAUZI for arg in ("--only", unit)]
    made = run_kinerja("generate", str(book), "-o", str(out), *only)
    assert made.returncode == 0, made.stderr
    spare = workspace / "cadangan"  # DISDIK's PK before anyone signed it
    shutil.copytree(out, spare)
    demo = run_kinerja("keys", "demo", str(keys), "--workbook", str(book))
    assert demo.returncode == 0, demo.stderr

    # one key file per person, named so that none can take another's place
    manifest = json.loads((keys / MANIFEST).read_text())
    own = {e["nip"]: keys / e["p12"] for e in manifest["parties"] if e["nip"] in nips.values()}
    assert set(own) == set(nips.values())
    assert len({p.name for p in own.values()}) == len(FAUZI)
    assert all(p.is_file() for p in own.values())
    fingerprint = {nip: load_pkcs12(p12, b"demo").sha256 for nip, p12 in own.items()}
    assert len(set(fingerprint.values())) == len(FAUZI)

    for role in ("pihak-pertama", "pihak-kedua"):
        r = run_kinerja("sign", str(out), "--role", role, "--keys", str(keys), env=ENV)
        assert r.returncode == 0, r.stdout + r.stderr
    # each agreement is signed by its own head's certificate
    for unit, nip in nips.items():
        for kind in ("pk", "pi"):
            pdf = out / f"{kind}-2026-{unit.lower()}.pdf"
            assert signer_sha256(pdf, Peran.PIHAK_PERTAMA) == fingerprint[nip], pdf.name
    r = run_kinerja("verify", str(out), "--trust", str(keys), "--json")
    report = json.loads(r.stdout)
    assert r.returncode == 0, r.stdout
    assert {d["verdict"] for d in report["documents"]} == {"VALID"}

    # Dinas Kesehatan's head cannot sign Dinas Pendidikan's agreement: `kinerja sign` refuses
    disdik = spare / "pk-2026-disdik.pdf"
    before = disdik.read_bytes()
    r = run_kinerja(
        "sign", str(disdik), "--role", "pihak-pertama", "--p12", str(own[nips["DINKES"]]),
        "--level", "B-B", env=ENV,
    )  # fmt: skip
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"is for NIP {nips['DINKES']}, but pihak pertama" in r.stderr
    assert f"has NIP {nips['DISDIK']}" in r.stderr
    assert disdik.read_bytes() == before

    # ... and if another tool signs it so, verify says INVALID, naming the NIP
    wrong = load_pkcs12(own[nips["DINKES"]], b"demo")
    store = demo_backend(keys)
    backend = PadesSigner(lambda a, role: wrong, store.services)
    embedded = read_prepared(read_strict(before, disdik.name), disdik.name)
    forged = workspace / "palsu" / disdik.name
    forged.parent.mkdir()
    forged.write_bytes(sign_unchecked(before, backend, Peran.PIHAK_PERTAMA, Level.B_LTA, embedded))
    r = run_kinerja("verify", str(forged), "--trust", str(keys), "--json")
    assert r.returncode == 1, r.stdout
    [document] = json.loads(r.stdout)["documents"]
    [first] = [s for s in document["signatures"] if s["role"] == "pihak-pertama"]
    identity = next(c for c in first["checks"] if c["name"] == "signer-identity")
    assert identity["verdict"] == "INVALID" and nips["DISDIK"] in identity["reason"], identity
