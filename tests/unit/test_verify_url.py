"""The verification address (Alamat Verifikasi, ``verify_url``): its one canonical form, the
Instansi sheet's row, the embedded data (schema version 3, documents without it unchanged) and
the QR payload."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer import canonical
from signer.canonical import CanonicalError
from signer.demo import DEMO_VERIFY_URL
from signer.errors import WorkbookError
from signer.example.workspace import ceremony, write_workspace
from signer.model import Agreement, Instansi
from signer.verify_url import PANJANG_MAKS
from signer.verify_url import canonical as canonical_url
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import edit_workbook, run_kinerja

URL = "https://sakip.example.go.id/v/"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (URL, URL),
        ("https://sakip.example.go.id/v", URL),  # the '/' the code follows, added
        ("HTTPS://SAKIP.Example.GO.ID/v", URL),  # scheme and host in lower case
        ("https://sakip.example.go.id", "https://sakip.example.go.id/"),
        (
            "https://sakip.example.go.id:8443/Verifikasi",
            "https://sakip.example.go.id:8443/Verifikasi/",
        ),
        ("http://127.0.0.1:8000/v/", "http://127.0.0.1:8000/v/"),
        ("http://localhost:8000/v", "http://localhost:8000/v/"),
        ("http://[::1]:8000/v/", "http://[::1]:8000/v/"),
        ("https://10.1.2.3/pk/%7Ev/", "https://10.1.2.3/pk/%7Ev/"),
    ],
)
def test_an_address_is_stored_in_one_canonical_form(typed: str, stored: str) -> None:
    assert canonical_url(typed) == stored
    assert canonical_url(stored) == stored  # the canonical form is its own


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "empty"),
        ("sakip.example.go.id/v/", "not an absolute https://"),
        ("https:/sakip.example.go.id/v/", "not an absolute https://"),
        ("ftp://sakip.example.go.id/v/", "not an absolute https://"),
        ("javascript:alert(1)//", "not an absolute https://"),
        ("http://sakip.example.go.id/v/", "plain http:// only for this machine"),
        ("https://admin:rahasia@sakip.example.go.id/v/", "no user name or password"),
        ("https://sakip.example.go.id/v/?kode=", "no query"),
        ("https://sakip.example.go.id/v/#kode", "no query ('?') or fragment"),
        ("https://sakip.example.go.id/v /", "' ' is not allowed"),
        ("https://sakip.example.go.id/vérifikasi/", "'é' is not allowed"),
        ("https://sakip.example.go.id/a/../v/", "'.' or '..' segments"),
        ("https://sakip_example.go.id/v/", "not a host name"),
        ("https://sakip.example.go.id:99999/v/", "port"),
        ("https://sakip.example.go.id:0/v/", "port"),
        ("https://[::g]/v/", "not a host name or address"),
        ("https://sakip.example.go.id/v/<b>/", "characters an address cannot carry"),
        ("https://sakip.example.go.id/" + "v" * (PANJANG_MAKS - 28), "at most 64"),
    ],
)
def test_a_bad_address_is_refused_saying_why(typed: str, says: str) -> None:
    with pytest.raises(ValueError, match=None) as e:
        canonical_url(typed)
    assert says in str(e.value)


def test_the_longest_address_is_the_limit() -> None:
    longest = "https://sakip.example.go.id/" + "v" * (PANJANG_MAKS - 29) + "/"
    assert len(longest) == PANJANG_MAKS and canonical_url(longest) == longest


def test_the_model_holds_only_the_canonical_form() -> None:
    with pytest.raises(ValueError, match="canonical form"):
        Instansi("Pemerintah Kota Contoh", verify_url="https://sakip.example.go.id/v")
    with pytest.raises(ValueError, match="plain http"):
        Instansi("Pemerintah Kota Contoh", verify_url="http://sakip.example.go.id/v/")


def _with_url(a: Agreement, url: str | None = URL) -> Agreement:
    return dataclasses.replace(a, instansi=dataclasses.replace(a.instansi, verify_url=url))


def test_without_an_address_the_data_keeps_its_version_and_bytes() -> None:
    for a in ceremony().agreements:
        data = json.loads(canonical.to_json(a))
        assert data["schema_version"] == a.jenis.since  # the example: no nomor, no revision
        assert "verify_url" not in data["instansi"]
        assert set(data["instansi"]) == {"nama", "kop", "logo"}


def test_with_an_address_the_data_is_version_3_and_round_trips() -> None:
    for a in ceremony().agreements[:3] + ceremony().agreements[-2:]:
        b = _with_url(a)
        data = canonical.to_json(b)
        parsed = json.loads(data)
        assert parsed["schema_version"] == 3
        assert parsed["instansi"]["verify_url"] == URL
        assert parsed["nomor"] is None and parsed["menggantikan"] is None  # v2's fields too
        assert canonical.from_json(data) == b
        assert canonical.is_canonical(data)
        assert canonical.digest(data) != canonical.digest(canonical.to_json(a))


def _data(a: Agreement) -> dict[str, object]:
    return dict(json.loads(canonical.to_json(a)))


def test_data_that_bends_the_version_or_the_address_is_refused() -> None:
    a = ceremony().agreements[0]
    v3 = _data(_with_url(a))
    v3["instansi"]["verify_url"] = None  # type: ignore[index]
    with pytest.raises(CanonicalError, match="schema version 3 for an agreement written in"):
        canonical.from_json(canonical.dumps(v3))
    v2 = _data(dataclasses.replace(a, nomor="800/1/2026"))
    v2["instansi"]["verify_url"] = URL  # type: ignore[index]
    with pytest.raises(CanonicalError, match="does not match schema v2"):
        canonical.from_json(canonical.dumps(v2))
    for bad in ("https://sakip.example.go.id/V/../", "http://sakip.example.go.id/v/"):
        forged = _data(_with_url(a))
        forged["instansi"]["verify_url"] = bad  # type: ignore[index]
        with pytest.raises(CanonicalError):
            canonical.from_json(canonical.dumps(forged))
    forged = _data(_with_url(a))
    forged["instansi"]["verify_url"] = "https://sakip.example.go.id/" + "v" * 60 + "/"  # type: ignore[index]
    with pytest.raises(CanonicalError, match="verify_url"):
        canonical.from_json(canonical.dumps(forged))


def test_the_page_qr_leads_to_the_address_and_the_code() -> None:
    a = ceremony().agreements[0]
    sha = "ab" * 32
    assert canonical.page_qr_payload(a, sha) == canonical.verification_payload(a, sha)
    assert canonical.page_qr_payload(a, sha).startswith("kinerja:1:")
    assert canonical.page_qr_payload(_with_url(a), sha) == URL + sha


# ---------------------------------------------------------------------------------------------
# The Instansi sheet


def _row(book: Path, key: str) -> int:
    for cell in load_workbook(book)["Instansi"]["A"]:
        if cell.value == key:
            return int(cell.row)
    raise AssertionError(f"no row {key}")


def test_the_example_leaves_the_address_empty_and_says_what_it_is_for(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    ws = load_workbook(book)["Instansi"]
    row = _row(book, "Alamat Verifikasi")
    assert ws[f"B{row}"].value is None
    assert "https://" in str(ws[f"C{row}"].value)
    assert read_workbook(book).instansi.verify_url is None


def test_the_demo_workbook_leads_to_the_local_portal(tmp_path: Path) -> None:
    write_workspace(tmp_path, verify_url=DEMO_VERIFY_URL)
    c = read_workbook(tmp_path / "kinerja.xlsx")
    assert DEMO_VERIFY_URL == "http://127.0.0.1:8000/v/"
    assert c.instansi.verify_url == DEMO_VERIFY_URL
    assert {a.instansi.verify_url for a in c.agreements} == {DEMO_VERIFY_URL}


@pytest.mark.parametrize("key", ["Alamat Verifikasi", "verify_url"])
def test_the_address_is_read_under_either_key_in_canonical_form(workspace: Path, key: str) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row(book, "Alamat Verifikasi")
    edit_workbook(
        book,
        {("Instansi", f"A{row}"): key, ("Instansi", f"B{row}"): " https://SAKIP.example.go.id/v "},
    )
    c = read_workbook(book)
    assert c.instansi.verify_url == URL
    assert all(a.instansi.verify_url == URL for a in c.agreements)
    [warning] = [w for w in c.warnings if w.sheet == "Instansi"]
    assert (warning.row, warning.column, warning.message) == (row, "B", f"now reads {URL}")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("http://sakip.example.go.id/v/", "plain http:// only for this machine"),
        ("https://sakip.example.go.id/v/?k=1", "no query"),
        (2026, "2026, expected an address such as https://"),
    ],
)
def test_a_bad_address_is_one_problem_naming_the_cell(
    workspace: Path, value: object, says: str
) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row(book, "Alamat Verifikasi")
    edit_workbook(book, {("Instansi", f"B{row}"): value})
    with pytest.raises(WorkbookError) as e:
        read_workbook(book)
    [problem] = e.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Instansi", row, "B")
    assert problem.header == "Alamat Verifikasi" and says in problem.message


def test_check_and_generate_refuse_a_bad_address_with_exit_2(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row(book, "Alamat Verifikasi")
    edit_workbook(book, {("Instansi", f"B{row}"): "https://admin:rahasia@sakip.example.go.id/v/"})
    for args in (("check", str(book)), ("generate", str(book), "-o", str(workspace / "keluaran"))):
        result = run_kinerja(*args)
        assert result.returncode == 2, result.stdout + result.stderr
        text = result.stdout + result.stderr
        assert f"Instansi, row {row}, column B (Alamat Verifikasi)" in text
        assert "no user name or password" in text and "Traceback" not in text
        assert "rahasia" not in text  # a password typed into the address is not echoed
    assert not (workspace / "keluaran").exists()
