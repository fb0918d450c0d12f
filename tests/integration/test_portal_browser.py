"""The portal as its users meet it: `kinerja serve` on 127.0.0.1 over an archive of the signed
example (SQLite, and PostgreSQL with $KINERJA_TEST_POSTGRES), driven by Debian's Chromium
through Playwright (never a downloaded browser), and its JSON API through httpx."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from signer.archive import add_stream, open_registry
from signer.batch import in_order
from signer.trust import load_trust_config
from signer.verify import VerifyOptions
from tests.archive_db import backends, fresh_database
from tests.attacks import eof_ends
from tests.conftest import KINERJA, run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_TOKEN = "fiktif-token-uji-0123456789"
LEFT_OUT = "pi-2026-setda"  # archived through the admin endpoint by a test


@dataclass(frozen=True)
class Portal:
    url: str
    db: str
    signed: Path
    codes: dict[str, str]  # document id -> verification code


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module", params=backends())
def portal(
    request: pytest.FixtureRequest,
    signed_example: Path,
    demo_store: Path,
    example_realisasi: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("portal")
    with contextlib.contextmanager(fresh_database)(request.param, tmp) as db:
        files = sorted(p for p in signed_example.glob("*.pdf") if p.stem != LEFT_OUT)
        options = VerifyOptions(load_trust_config([demo_store]))
        with open_registry(db) as registry:
            added = in_order(add_stream(registry, files, options))
            assert all(a.stored for a in added), added
            codes = {a.id: a.code for a in added if a.id and a.code}
        env = {**os.environ, "KINERJA_DB": db, "KINERJA_ADMIN_TOKEN": ADMIN_TOKEN}
        evaluated = run_kinerja(
            "evaluate", str(signed_example), "--trust", str(demo_store), "--realisasi",
            str(example_realisasi), "-o", str(tmp / "evaluasi"), "--archive", env=env,
        )  # fmt: skip
        assert evaluated.returncode in (0, 1), evaluated.stderr
        port = _free_port()
        server = subprocess.Popen(
            # more uploads than one client may make by default: the limits have tests of their own
            [
                KINERJA,
                "serve",
                str(tmp),
                "--trust",
                str(demo_store),
                "--port",
                str(port),
                "--upload-rate",
                "600",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/", timeout=1).status_code == 200:
                        break
                assert server.poll() is None, server.communicate()[0]
                time.sleep(0.2)
            yield Portal(url, db, signed_example, codes)
        finally:
            server.terminate()
            server.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (tools/ensure-system.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: object, width: int = 1200, height: int = 900) -> object:
    return browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]


def _tampered(data: bytes) -> bytes:
    """One byte changed inside the first revision, which every signature covers."""
    at = data.index(b"%%EOF") // 2
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_the_scan_path_shows_verdict_parties_times_targets_and_evaluation(
    portal: Portal, browser: object, tmp_path: Path
) -> None:
    code = portal.codes["pk-2026-dinkes"]
    with open_registry(portal.db, read_only=True) as registry:
        found = registry.find(code)
        assert found is not None
        a = found.agreement
    page = _page(browser)
    page.goto(f"{portal.url}/v/{code}")  # type: ignore[attr-defined]
    page.screenshot(path=str(tmp_path / "v-desktop.png"), full_page=True)  # type: ignore[attr-defined]
    verdict = page.locator(".verdict")  # type: ignore[attr-defined]
    assert verdict.locator(".word").inner_text() == "SAH"
    assert "valid" in (verdict.get_attribute("class") or "")
    parties = page.locator(".party").all_inner_texts()  # type: ignore[attr-defined]
    assert a.pihak_kedua is not None
    assert a.pihak_pertama.nama in parties[0] and a.pihak_kedua.nama in parties[1]
    assert all("Ditandatangani" in p and "cap waktu" in p for p in parties)
    table = page.locator("table.targets").inner_text()  # type: ignore[attr-defined]
    for s in a.sasaran:
        assert s.uraian in table
        assert all(i.uraian in table for i in s.indikator)
    assert a.program[0].uraian in page.content()  # type: ignore[attr-defined]
    assert page.get_by_text("Evaluasi terakhir").count() == 1  # type: ignore[attr-defined]
    download = page.locator("a[href$='/pdf']").get_attribute("href")  # type: ignore[attr-defined]
    pdf = httpx.get(portal.url + download)
    assert pdf.content == (portal.signed / "pk-2026-dinkes.pdf").read_bytes()
    assert pdf.headers["content-disposition"] == 'attachment; filename="pk-2026-dinkes.pdf"'


def test_uploads_of_a_good_and_a_tampered_pdf(
    portal: Portal, browser: object, tmp_path: Path
) -> None:
    good = portal.signed / "pk-2026-dinkes.pdf"
    bad = tmp_path / "pk-2026-dinkes.pdf"
    bad.write_bytes(_tampered(good.read_bytes()))
    page = _page(browser)
    for path, word, shot in ((good, "SAH", "good"), (bad, "TIDAK SAH", "tampered")):
        page.goto(f"{portal.url}/periksa")  # type: ignore[attr-defined]
        page.set_input_files("input[type=file]", str(path))  # type: ignore[attr-defined]
        page.click("button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_selector(".verdict", timeout=60_000)  # type: ignore[attr-defined]
        page.screenshot(path=str(tmp_path / f"upload-{shot}.png"), full_page=True)  # type: ignore[attr-defined]
        assert page.locator(".verdict .word").inner_text() == word  # type: ignore[attr-defined]
    text = page.content()  # type: ignore[attr-defined]
    assert "✗" in text  # the failed check is listed
    assert "berbeda dari dokumen yang diarsipkan" in text  # and the archived copy is linked


def test_english_on_request_and_kept(portal: Portal, browser: object) -> None:
    page = _page(browser)
    page.goto(f"{portal.url}/v/{portal.codes['pk-2026-dinkes']}")  # type: ignore[attr-defined]
    signed = page.locator(".signed strong").first  # type: ignore[attr-defined]
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} \d{2}\.\d{2} WIB", signed.inner_text())
    page.click("a.lang")  # type: ignore[attr-defined]
    assert page.locator(".verdict .word").inner_text() == "VALID"  # type: ignore[attr-defined]
    assert "First party" in page.content()  # type: ignore[attr-defined]
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    when = page.locator(".signed strong").first.inner_text()  # type: ignore[attr-defined]
    assert re.fullmatch(rf"\d{{1,2}} ({months}) \d{{4}} \d{{2}}:\d{{2}} WIB", when), when
    page.goto(f"{portal.url}/periksa")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Check a PDF file"  # type: ignore[attr-defined]


def test_a_phone_sees_every_page_without_scrolling_sideways(
    portal: Portal, browser: object, tmp_path: Path
) -> None:
    page = _page(browser, 390, 844)
    for path in ("/", f"/v/{portal.codes['pk-2026-dinkes']}", "/periksa", f"/v/{'0' * 64}"):
        page.goto(portal.url + path)  # type: ignore[attr-defined]
        wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert wide <= 390, path
    page.goto(f"{portal.url}/v/{portal.codes['pk-2026-dinkes']}")  # type: ignore[attr-defined]
    page.screenshot(path=str(tmp_path / "v-phone.png"), full_page=True)  # type: ignore[attr-defined]


def test_the_api_answers_the_archived_agreement(portal: Portal) -> None:
    code = portal.codes["pk-2026-dinkes"]
    body = httpx.get(f"{portal.url}/api/v1/perjanjian/{code.upper()}").json()
    assert body["id"] == "pk-2026-dinkes" and body["code"] == code
    assert body["verdict"] == "VALID" and all(c["passed"] for c in body["checks"])
    assert [p["role"] for p in body["parties"]] == ["pihak-pertama", "pihak-kedua"]
    assert all(p["signature"]["time_source"] == "timestamp" for p in body["parties"])
    assert body["targets"] and body["targets"][0]["indikator"][0]["target"]
    assert body["evaluation"]["periode"] and body["evaluation"]["capaian"]
    unknown = httpx.get(f"{portal.url}/api/v1/perjanjian/{'0' * 64}")
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "not found"})


def test_an_upload_is_told_how_it_stands_to_the_archived_copy(portal: Portal) -> None:
    signed = (portal.signed / "pi-2026-dinkes.pdf").read_bytes()
    code = portal.codes["pi-2026-dinkes"]

    def check(data: bytes) -> dict[str, object]:
        r = httpx.post(
            f"{portal.url}/api/v1/periksa",
            files={"file": ("x.pdf", data, "application/pdf")},
            timeout=120,
        )
        assert r.status_code == 200, r.text
        answer: dict[str, object] = r.json()
        return answer

    same = check(signed)
    assert (same["verdict"], same["archive"], same["code"]) == ("VALID", "identical", code)
    earlier = check(signed[: eof_ends(signed)[-2]])  # before the last archival timestamp
    assert (earlier["archive"], earlier["archive_url"]) == ("earlier", f"/v/{code}")
    other = check(signed + b"\n%% appended\n")
    assert other["archive"] == "different"


def test_the_admin_endpoint_adds_only_with_the_token(portal: Portal) -> None:
    pdf = (portal.signed / f"{LEFT_OUT}.pdf").read_bytes()
    files = {"file": ("x.pdf", pdf, "application/pdf")}
    url = f"{portal.url}/api/v1/arsip"
    assert httpx.post(url, files=files).status_code == 401
    r = httpx.post(
        url, files=files, headers={"authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=120
    )
    assert r.status_code == 201, r.text
    page = httpx.get(portal.url + r.json()["url"])
    assert page.status_code == 200 and LEFT_OUT in page.text
