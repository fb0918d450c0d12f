"""Verify for real on agreements signed by the demo parties: controls, time, trust, the report."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.model import Peran
from signer.sign import Level
from signer.verify import DEFAULT_POLICY
from tests.conftest import run_kinerja
from tests.helpers import sign_roles

# every test runs `kinerja verify`; those that take the signed PDFs need LibreOffice too
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def store(demo_store: Path) -> Path:
    return demo_store


@pytest.fixture(scope="session")
def signed(
    prepared_example: Path,
    signed_example: Path,
    store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    """pk-2026-dinkes prepared, signed by pihak pertama only, by both at B-B, by both at B-LTA."""
    prepared = (prepared_example / "pk-2026-dinkes.pdf").read_bytes()
    out = tmp_path_factory.mktemp("vsigned")

    def signed_by(*roles: Peran, level: Level) -> bytes:
        return sign_roles(prepared, store, roles, level)

    files = {
        "pertama": signed_by(Peran.PIHAK_PERTAMA, level=Level.B_LTA),
        "b-b": signed_by(Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA, level=Level.B_B),
    }
    paths = {
        "prepared": prepared_example / "pk-2026-dinkes.pdf",
        "b-lta": signed_example / "pk-2026-dinkes.pdf",
    }
    for name, data in files.items():
        paths[name] = out / f"{name}.pdf"
        paths[name].write_bytes(data)
    return paths


def verify(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run_kinerja("verify", "--json", *args, env={**os.environ, **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {}


def failed(doc: dict) -> set[str]:  # type: ignore[type-arg]
    names = {c["name"] for c in doc["checks"] if not c["passed"]}
    for s in doc["signatures"]:
        names |= {c["name"] for c in s["checks"] if not c["passed"]}
    return names


@pytest.mark.office
def test_signed_agreement_is_valid_with_a_full_report(signed: dict[str, Path], store: Path) -> None:
    code, report = verify(str(signed["b-lta"]), "--trust", str(store))
    assert code == 0
    [doc] = report["documents"]
    assert doc["verdict"] == "VALID"
    assert doc["agreement"]["id"] == "pk-2026-dinkes" and len(doc["agreement"]["sha256"]) == 64
    roles = [s["role"] for s in doc["signatures"]]
    assert roles == ["pihak-pertama", "pihak-kedua"]
    first = doc["signatures"][0]
    assert first["signer"] == "Rina Kartikasari", "the certificate carries the plain name"
    assert first["identity"]["match"] == "plain"
    assert first["identity"]["party"] == "dr. Rina Kartikasari, M.Kes."
    assert first["issuer"] == "CA Penandatangan Demo kinerja"
    assert first["level"] == "B-LTA" and doc["signatures"][1]["level"] == "B-LTA"
    assert first["time_source"] == "timestamp" and first["signing_time"]
    check_names = {c["name"] for c in doc["checks"]} | {c["name"] for c in first["checks"]}
    assert check_names == set(DEFAULT_POLICY.names)
    assert all(c["passed"] for c in doc["checks"])


@pytest.mark.office
def test_no_trust_anchor_is_indeterminate(signed: dict[str, Path]) -> None:
    code, report = verify(str(signed["b-lta"]), env={"KINERJA_TRUST": ""})
    assert code == 1
    [doc] = report["documents"]
    assert doc["verdict"] == "INDETERMINATE"
    assert "trust-anchor" in failed(doc)


@pytest.mark.office
def test_long_term_proofs_survive_expired_certificates(
    signed: dict[str, Path], store: Path
) -> None:
    later = (dt.date.today() + dt.timedelta(days=5 * 365)).isoformat()
    code, report = verify(str(signed["b-lta"]), "--trust", str(store), "--at", later)
    assert code == 0, report
    assert report["documents"][0]["verdict"] == "VALID"
    code, report = verify(str(signed["b-b"]), "--trust", str(store), "--at", later)
    assert code == 1
    [doc] = report["documents"]
    assert doc["verdict"] == "INDETERMINATE"
    reasons = " ".join(
        c["reason"] for s in doc["signatures"] for c in s["checks"] if not c["passed"]
    )
    assert "B-B" in reasons and "timestamp" in reasons


@pytest.mark.office
def test_b_b_is_valid_now(signed: dict[str, Path], store: Path) -> None:
    code, report = verify(str(signed["b-b"]), "--trust", str(store))
    assert code == 0, report
    assert [s["level"] for s in report["documents"][0]["signatures"]] == ["B-B", "B-B"]


@pytest.mark.office
@pytest.mark.parametrize("name", ["prepared", "pertama"])
def test_missing_signatures_are_invalid(signed: dict[str, Path], store: Path, name: str) -> None:
    code, report = verify(str(signed[name]), "--trust", str(store))
    assert code == 1
    [doc] = report["documents"]
    assert doc["verdict"] == "INVALID"
    assert "expected-signatures" in failed(doc)


@pytest.mark.office
def test_extended_file_stays_valid(signed: dict[str, Path], store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "extended.pdf"
    shutil.copy(signed["b-lta"], copy)
    assert run_kinerja("extend", str(copy), "--keys", str(store)).returncode == 0
    code, report = verify(str(copy), "--trust", str(store))
    assert code == 0, report


def test_unusable_input_exits_2(tmp_path: Path, store: Path) -> None:
    text = tmp_path / "surat.pdf"
    text.write_text("bukan pdf")
    result = run_kinerja("verify", str(text), str(tmp_path / "hilang.pdf"), "--trust", str(store))
    assert result.returncode == 2
    assert "not a PDF file" in result.stderr and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.office
def test_folder_gives_a_summary(signed: dict[str, Path], store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "arsip"
    folder.mkdir()
    for name in ("b-lta", "pertama", "b-b", "prepared"):
        shutil.copy(signed[name], folder / f"{name}.pdf")
    result = run_kinerja("verify", str(folder), "--trust", str(store))
    assert result.returncode == 1
    assert re.search(r"VALID\s.*\s2\s", result.stdout) and "INVALID" in result.stdout


@pytest.mark.office
def test_pinned_certificates(signed: dict[str, Path], store: Path, tmp_path: Path) -> None:
    root_only = store / "ca" / "root.crt"
    code, report = verify(str(signed["b-lta"]), "--trust", str(store), "--pin", str(root_only))
    assert code == 1
    assert failed(report["documents"][0]) == {"pinned-signers"}
    # pinning the signers' own certificates passes, and the check shows in the report
    pins = []
    for role, holder in (("pertama", 0), ("kedua", 1)):
        pem = tmp_path / f"{role}.der"  # not into the shared key store
        pdf = PdfFileReader(io.BytesIO(signed["b-lta"].read_bytes()))
        cert = pdf.embedded_regular_signatures[holder].signer_cert
        pem.write_bytes(cert.dump())
        pins += ["--pin", str(pem)]
    code, report = verify(str(signed["b-lta"]), "--trust", str(store), *pins)
    assert code == 0
    names = {c["name"] for s in report["documents"][0]["signatures"] for c in s["checks"]}
    assert "pinned-signers" in names


@pytest.mark.office
def test_pdfsig_agrees_the_file_is_intact(signed: dict[str, Path]) -> None:
    out = subprocess.run(["pdfsig", str(signed["b-lta"])], capture_output=True, text=True).stdout
    assert out.count("Signature is Valid.") == 2


@pytest.mark.office
def test_agreement_of_a_newer_kinerja_is_indeterminate_not_invalid(
    signed: dict[str, Path], store: Path, tmp_path: Path
) -> None:
    """A document whose kind this kinerja does not know (a newer schema version): signed and
    intact, so not INVALID, but not ours to judge: INDETERMINATE, saying to upgrade."""
    import pikepdf

    from signer.canonical import SCHEMA_VERSION, dumps
    from signer.embedded import read_embedded
    from tests.helpers import demo_backend, sign_unchecked

    newer = tmp_path / "kk-2026-dinkes.pdf"
    with pikepdf.open(signed["prepared"]) as pdf:
        [spec] = list(pdf.Root.AF)
        stream = spec.EF.F
        data = json.loads(stream.read_bytes())
        data.update(schema_version=SCHEMA_VERSION + 1, jenis="kontrak-kinerja", id="kk-2026-dinkes")
        stream.write(dumps(data))
        pdf.save(newer)
    backend = demo_backend(store)
    # the parties' names and stamps come from the original data (this kinerja cannot read the new)
    original = read_embedded(PdfFileReader(io.BytesIO(signed["prepared"].read_bytes())).root)
    data = newer.read_bytes()
    for role in Peran:
        data = sign_unchecked(data, backend, role, Level.B_LTA, original)
    newer.write_bytes(data)
    code, report = verify(str(newer), "--trust", str(store))
    [doc] = report["documents"]
    assert code == 1 and doc["verdict"] == "INDETERMINATE"
    reasons = [c["reason"] for c in doc["checks"] if not c["passed"]]
    assert any("upgrade kinerja" in r for r in reasons)
    # every signature check that needs no agreement still passes
    for s in doc["signatures"]:
        passed = {c["name"] for c in s["checks"] if c["passed"]}
        assert {"signature-integrity", "signature-trust", "modifications"} <= passed


@pytest.mark.office
def test_a_verdict_at_a_time_needs_a_proof_of_existence_by_then(
    signed: dict[str, Path], store: Path
) -> None:
    """--at T is not itself a proof: before anyone signed, or between the two signatures, the
    document was not (provably) signed; just after both signatures it is VALID."""
    code, report = verify(str(signed["b-lta"]), "--trust", str(store))
    assert code == 0
    first, second = (
        dt.datetime.fromisoformat(s["signing_time"]) for s in report["documents"][0]["signatures"]
    )
    assert report["documents"][0]["signatures"][1]["time_source"] == "timestamp"
    cases = {
        (first - dt.timedelta(days=1)).isoformat(): "INDETERMINATE",
        (first + (second - first) / 2).isoformat(): "INDETERMINATE",
        (second + dt.timedelta(seconds=1)).isoformat(): "VALID",
    }
    for at, verdict in cases.items():
        code, report = verify(str(signed["b-lta"]), "--trust", str(store), "--at", at)
        [doc] = report["documents"]
        assert doc["verdict"] == verdict, (at, doc)
        if verdict != "VALID":
            reasons = " ".join(c["reason"] for s in doc["signatures"] for c in s["checks"])
            assert "nothing proves the signature existed" in reasons


@pytest.mark.office
def test_a_hostile_file_costs_only_itself(
    signed: dict[str, Path], store: Path, tmp_path: Path
) -> None:
    """A 1 MB file that inflates to 1 GB is measured before anything inflates it: INVALID with
    the reason, within a small memory limit, and the one beside it is still verified."""
    from tests import attacks

    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(attacks.decompression_bomb(signed["b-lta"].read_bytes(), 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    shutil.copy(signed["b-lta"], tmp_path / "good.pdf")
    code, report = verify(str(tmp_path), "--trust", str(store), "--max-memory", "512")
    assert code == 1, report
    verdicts = {Path(d["file"]).name: d["verdict"] for d in report["documents"]}
    assert verdicts == {"bomb.pdf": "INVALID", "good.pdf": "VALID"}
    assert not report["unusable"]
    [doc] = [d for d in report["documents"] if d["verdict"] == "INVALID"]
    assert "inflates past" in json.dumps(doc)


@pytest.mark.office
def test_an_untrusted_document_timestamp_raises_no_level(
    signed: dict[str, Path], store: Path, tmp_path: Path
) -> None:
    from tests import attacks

    path = tmp_path / "b-b-stamped.pdf"
    path.write_bytes(attacks.timestamp_untrusted(signed["b-b"].read_bytes()))
    code, report = verify(str(path), "--trust", str(store))
    [doc] = report["documents"]
    assert code == 1 and doc["verdict"] == "INDETERMINATE"
    assert [s["level"] for s in doc["signatures"]] == ["B-B", "B-B"]
    assert "timestamp-trust" in failed(doc)


@pytest.mark.office
def test_extend_goes_on_over_an_untrusted_document_timestamp(
    signed: dict[str, Path], store: Path, tmp_path: Path
) -> None:
    """An untrusted archival timestamp does not block `kinerja extend` for good: the new,
    trusted timestamp covers it, and the document is VALID at the level that is proven."""
    from tests import attacks

    path = tmp_path / "b-lta-stamped.pdf"
    path.write_bytes(attacks.timestamp_untrusted(signed["b-lta"].read_bytes()))
    code, report = verify(str(path), "--trust", str(store))
    assert code == 1 and report["documents"][0]["verdict"] == "INDETERMINATE"
    assert run_kinerja("extend", str(path), "--keys", str(store)).returncode == 0
    code, report = verify(str(path), "--trust", str(store))
    [doc] = report["documents"]
    assert code == 0 and doc["verdict"] == "VALID", doc
    assert {s["level"] for s in doc["signatures"]} == {"B-LTA"}
    [trust] = [c for c in doc["checks"] if c["name"] == "timestamp-trust"]
    assert "covered by a later trusted one" in trust["reason"]


@pytest.mark.office
@pytest.mark.parametrize("how", ["empty", "objstm"])
def test_an_unsigned_dss_update_cannot_take_the_proofs_away(
    signed: dict[str, Path], store: Path, tmp_path: Path, how: str
) -> None:
    """After the last timestamp: a DSS emptied by an unsigned update leaves the proofs the
    timestamps covered in force (VALID offline), and a benign DSS update written through an
    object stream is accepted."""
    from tests import attacks

    path = tmp_path / f"{how}.pdf"
    path.write_bytes(attacks.dss_update(signed["b-lta"].read_bytes(), how))
    code, report = verify(str(path), "--trust", str(store), "--offline")
    assert code == 0, report
    assert report["documents"][0]["verdict"] == "VALID"
