"""The portal's HTTP behaviour through Starlette's TestClient over a real (SQLite) archive:
security headers, the one 404, upload limits, rate limits, the admin token, the language."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from signer.archive import Registry, default_url, open_registry
from signer.verify import VerifyOptions
from signer.web import CheckLimits, PortalConfig, Rate, create_app
from signer.web.checker import Busy, Checker

UNKNOWN = "ab" * 32


@pytest.fixture()
def registry(tmp_path: Path) -> Iterator[Registry]:
    url = default_url(tmp_path)
    open_registry(url).close()  # made and migrated; the portal itself only reads
    reader = open_registry(url, read_only=True)
    yield reader
    reader.close()


def client(registry: Registry, **config: object) -> TestClient:
    return TestClient(create_app(registry, VerifyOptions(), PortalConfig(**config)))  # type: ignore[arg-type]


def test_every_answer_carries_the_security_headers(registry: Registry) -> None:
    c = client(registry)
    for path in (
        "/",
        "/periksa",
        f"/v/{UNKNOWN}",
        f"/api/v1/perjanjian/{UNKNOWN}",
        "/static/portal.css",
        "/api/v1/openapi.json",
    ):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_an_unknown_code_answers_the_same_404_whatever_the_reason(registry: Registry) -> None:
    c = client(registry)
    asked = [UNKNOWN, "not-a-code", "A" * 64, "g" * 64, "x" * 5000, "..%2f..%2fetc%2fpasswd"]
    pages = {(r.status_code, r.text) for r in (c.get(f"/v/{code}") for code in asked)}
    api = {(r.status_code, r.text) for r in (c.get(f"/api/v1/perjanjian/{code}") for code in asked)}
    pdfs = {(r.status_code, r.text) for r in (c.get(f"/v/{code}/pdf") for code in asked)}
    assert len(pages) == 1 and next(iter(pages))[0] == 404
    assert api == {(404, '{"detail":"not found"}')}
    assert pdfs == pages


def test_a_typed_code_leads_to_its_page(registry: Registry) -> None:
    r = client(registry).get(
        "/v", params={"kode": "ABAB abab-" + "ab" * 28}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/v/{UNKNOWN}"


def test_an_upload_over_the_limit_is_refused_before_it_is_read(registry: Registry) -> None:
    c = client(registry, max_upload_mb=1)
    big = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
    r = c.post("/api/v1/periksa", files={"file": ("a.pdf", big, "application/pdf")})
    assert r.status_code == 413
    assert "1 MB" in r.json()["detail"]


def test_an_upload_streamed_past_the_limit_is_cut_off(registry: Registry) -> None:
    c = client(registry, max_upload_mb=1)
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts while reading
        nonlocal sent
        for _ in range(64):
            sent += 1
            yield b"x" * 65536

    r = c.post(
        "/api/v1/periksa",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 413


def test_only_a_pdf_is_verified(registry: Registry) -> None:
    c = client(registry)
    r = c.post("/api/v1/periksa", files={"file": ("a.pdf", b"<html>hi</html>", "application/pdf")})
    assert r.status_code == 415
    page = c.post("/periksa", files={"file": ("a.pdf", b"PK\x03\x04", "application/pdf")})
    assert page.status_code == 415 and "Berkas bukan PDF." in page.text
    assert c.post("/api/v1/periksa", data={"other": "x"}).status_code == 400


def test_a_broken_pdf_is_answered_not_crashed_on(registry: Registry) -> None:
    c = client(registry)
    for data in (b"%PDF-1.7\n" + b"\x00garbage" * 100, b"%PDF-1.7\n1 0 obj\n" + b"[" * 100_000):
        r = c.post("/api/v1/periksa", files={"file": ("x.pdf", data, "application/pdf")})
        assert r.status_code == 200
        body = r.json()
        assert body["verdict"] in ("INVALID", None), body
        assert body["archive"] == "absent"
    assert c.get("/").status_code == 200


def test_a_verification_past_its_memory_is_unusable_and_the_server_goes_on() -> None:
    checker = Checker(VerifyOptions(), CheckLimits(workers=1, memory_mb=64))
    nested = b"%PDF-1.7\n1 0 obj\n" + b"[" * 2_000_000 + b"]" * 2_000_000 + b"\nendobj\n"
    answer = checker.check(nested)
    assert answer.report is None or answer.report["verdict"] == "INVALID"
    assert checker.check(b"%PDF-1.7\n").report is not None  # the next one is verified


def test_uploads_beyond_the_workers_are_refused_at_once() -> None:
    checker = Checker(VerifyOptions(), CheckLimits(workers=1))
    assert checker._slots.acquire(blocking=False)  # one verification running
    with pytest.raises(Busy):
        checker.check(b"%PDF-1.7\n")
    checker._slots.release()


def test_too_many_requests_from_one_client_wait(registry: Registry) -> None:
    c = client(registry, pages=Rate(per_second=0.01, burst=3))
    codes = [c.get("/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.get("/")
    assert int(r.headers["retry-after"]) >= 1
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_uploads_are_limited_more_strictly_than_pages(registry: Registry) -> None:
    c = client(registry, uploads=Rate(per_second=0.01, burst=1))
    pdf = {"file": ("a.pdf", b"not a pdf", "application/pdf")}
    assert c.post("/api/v1/periksa", files=pdf).status_code == 415
    assert c.post("/api/v1/periksa", files=pdf).status_code == 429
    assert c.get("/").status_code == 200  # pages still answer


def test_the_admin_endpoint_exists_only_with_a_token(registry: Registry) -> None:
    pdf = {"file": ("a.pdf", b"%PDF-1.7\n", "application/pdf")}
    assert client(registry).post("/api/v1/arsip", files=pdf).status_code == 404

    added: list[bytes] = []

    def add(data: bytes, checked: object) -> str:
        added.append(data)
        return UNKNOWN

    c = client(registry, admin_token="s3cret-token", admin_add=add)
    assert c.post("/api/v1/arsip", files=pdf).status_code == 401
    wrong = {"authorization": "Bearer s3cret-tokem"}
    assert c.post("/api/v1/arsip", files=pdf, headers=wrong).status_code == 401
    right = {"authorization": "Bearer s3cret-token"}
    r = c.post("/api/v1/arsip", files=pdf, headers=right)
    assert r.status_code == 422  # only what verifies VALID is archived
    assert added == []


def test_pages_are_in_indonesian_unless_english_is_asked_for(registry: Registry) -> None:
    c = client(registry)
    assert "Portal Verifikasi Perjanjian Kinerja" in c.get("/").text
    english = c.get("/?lang=en")
    assert "Performance Agreement Verification Portal" in english.text
    assert english.cookies.get("lang") == "en"
    assert "Performance Agreement" in c.get("/periksa").text  # the cookie keeps it
    other = client(registry)  # an English browser still gets the Indonesian page first
    assert "Portal Verifikasi" in other.get("/", headers={"accept-language": "en-US"}).text
    assert 'href="/periksa?lang=id"' in c.get("/periksa").text  # the way back, on every page


def test_the_api_is_described_by_openapi(registry: Registry) -> None:
    schema = client(registry).get("/api/v1/openapi.json").json()
    assert {"/api/v1/perjanjian/{code}", "/api/v1/periksa"} <= set(schema["paths"])
    body = schema["paths"]["/api/v1/periksa"]["post"]["requestBody"]
    assert "file" in body["content"]["multipart/form-data"]["schema"]["properties"]
    assert "/api/v1/arsip" not in schema["paths"]


def test_the_log_names_no_one(registry: Registry, caplog: pytest.LogCaptureFixture) -> None:
    c = client(registry)
    with caplog.at_level("INFO", logger="kinerja.portal"):
        c.post("/api/v1/periksa", files={"file": ("Budi Santoso.pdf", b"x", "application/pdf")})
        c.get(f"/v/{UNKNOWN}")
    text = caplog.text
    assert "POST /api/v1/periksa 415" in text and f"GET /v/{UNKNOWN} 404" in text
    assert "Budi" not in text and "testclient" not in text


def test_requests_are_served_while_a_verification_runs(registry: Registry) -> None:
    c = client(registry)
    done = threading.Event()

    def upload() -> None:
        c.post(
            "/api/v1/periksa", files={"file": ("x.pdf", b"%PDF-1.7\n" * 1000, "application/pdf")}
        )
        done.set()

    threading.Thread(target=upload).start()
    assert c.get("/").status_code == 200
    assert done.wait(60)
