"""An agreement with an Alamat Verifikasi, end to end: generated on A4 and F4, signed by both
parties with the demo key store, VALID, and every page's QR, decoded from the drawn page, leads
to the address with the verification code, which the footer prints. (The manipulated ones are
in tests/integration/test_verify_attacks.py, section 18.)"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.embedded import read_embedded
from signer.verify.qr import drawn_qr_codes
from tests.conftest import VERIFY_URL, run_kinerja
from tests.helpers import sign_roles

pytestmark = [pytest.mark.slow, pytest.mark.office]


@pytest.fixture(scope="module")
def signed_with_url(
    prepared_with_url: Path, demo_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("signed-url")
    for pdf in sorted(prepared_with_url.rglob("*.pdf")):
        target = out / pdf.relative_to(prepared_with_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sign_roles(pdf.read_bytes(), demo_store))
    return out


def test_signed_with_url_on_a4_and_f4_is_valid(signed_with_url: Path, demo_store: Path) -> None:
    result = run_kinerja("verify", str(signed_with_url), "--trust", str(demo_store), "--json")
    report = json.loads(result.stdout)
    verdicts = {d["file"]: d["verdict"] for d in report["documents"]}
    assert len(verdicts) == 4, verdicts  # PK and Pakta Integritas, A4 and F4
    assert set(verdicts.values()) == {"VALID"}, result.stdout
    assert result.returncode == 0


@pytest.mark.parametrize("kertas", ["a4", "f4"])
def test_every_page_qr_leads_to_the_address_with_the_code(
    signed_with_url: Path, kertas: str
) -> None:
    for pdf in sorted((signed_with_url / kertas).glob("*.pdf")):
        data = pdf.read_bytes()
        embedded = read_embedded(PdfFileReader(io.BytesIO(data)).root)
        assert embedded.agreement.instansi.verify_url == VERIFY_URL
        assert json.loads(embedded.data)["schema_version"] == 3
        codes = drawn_qr_codes(data)
        pages = {c.page for c in codes}
        assert pages == set(range(max(pages) + 1)) and len(pages) >= 1, pdf.name
        for page in pages:
            here = [c.payload for c in codes if c.page == page]
            assert here.count(VERIFY_URL + embedded.sha256) == 1, (pdf.name, page, here)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        page_texts = [t for t in text.split("\f") if t.strip()]
        assert len(page_texts) == len(pages)
        for t in page_texts:
            assert f"Verifikasi: {VERIFY_URL}" in t, pdf.name


def test_the_report_says_where_the_qr_leads(
    signed_with_url: Path, demo_store: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "pk-2026-dinkes.pdf"
    shutil.copy(signed_with_url / "a4" / "pk-2026-dinkes.pdf", pdf)
    result = run_kinerja("verify", str(pdf), "--trust", str(demo_store), "--json")
    [document] = json.loads(result.stdout)["documents"]
    reasons = [c["reason"] for c in document["checks"] if c["name"] == "verification-code"]
    assert reasons and VERIFY_URL in reasons[0], reasons
