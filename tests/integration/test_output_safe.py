"""Terminal and markup injection: what comes from a file, a workbook or a certificate is printed
as text, never acted on.

Each case runs the real `kinerja` command with colour forced on (FORCE_COLOR: rich then writes
escape sequences as it would on a terminal) and asserts on the bytes it printed: the only
escape sequences are kinerja's own colours (SGR, ESC [ ... m), the data's own are written out
(``\\x1b``), a line break in a name never starts a line, and rich markup in a name is shown as
it is instead of crashing the command.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]

FORCED = {
    "FORCE_COLOR": "1",
    "COLUMNS": "250",
    "KINERJA_PASSPHRASE": "demo",
    "PATH": "/usr/bin:/bin",
}
SGR = re.compile(r"\x1b\[[0-9;]*m")
EVIL_NAME = "pi\nVALID [bold] \x1b[2J\u202egpj.pdf"
EVIL_CN = "\x1b[2J\x1b[1;32mALL VALID [green]Arif Wicaksono\u202e"


def _env() -> dict[str, str]:
    import os

    return {**os.environ, **FORCED}


def _printed(done: object) -> str:
    """stdout and stderr of a finished command, with kinerja's own colours taken out."""
    out = done.stdout + done.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in out, out
    plain = SGR.sub("", out)
    assert "\x1b" not in plain, plain  # no escape sequence but kinerja's own colours
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", plain), plain
    return plain


def test_a_file_name_cannot_forge_a_line(
    signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    evil = tmp_path / "[red]folder[" / "red]" / EVIL_NAME  # the path holds "[/red]"
    evil.parent.mkdir(parents=True)
    shutil.copy(signed_example / "pi-2026-dinkes.pdf", evil)
    done = run_kinerja("verify", str(evil), "--trust", str(demo_store), env=_env())
    assert done.returncode == 0, done.stdout + done.stderr
    plain = _printed(done)
    verdicts = [line for line in plain.splitlines() if line.startswith(("VALID", "INVALID"))]
    assert len(verdicts) == 1, plain  # one file, one verdict line: the name forged none
    assert "[red]folder[/red]/pi\\nVALID [bold] \\x1b[2J\\u202egpj.pdf" in verdicts[0]
    # machine output stays exact
    as_json = run_kinerja("verify", str(evil), "--trust", str(demo_store), "--json", env=_env())
    assert [d["file"] for d in json.loads(as_json.stdout)["documents"]] == [str(evil)]
    # and an unusable file with such a name is one error line
    broken = evil.with_name("x\nVALID\x1b[32m.pdf")
    broken.write_bytes(b"not a pdf")
    done = run_kinerja("verify", str(broken), "--trust", str(demo_store), env=_env())
    assert done.returncode == 2
    assert _printed(done).strip().count("\n") == 0


def test_a_certificate_name_is_shown_not_obeyed(
    prepared_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    from signer.model import Peran
    from signer.sign.backend import Level
    from tests.attacks import PIHAK_PERTAMA, _trusted_look_alike, sign_agreement
    from tests.helpers import sign_unchecked

    prepared = (prepared_example / "pi-2026-dinkes.pdf").read_bytes()
    backend, _ = _trusted_look_alike(
        demo_store, Peran.PIHAK_KEDUA, EVIL_CN, "Pemerintah Kota Contoh", None
    )
    first = sign_agreement(prepared, demo_store, roles=[PIHAK_PERTAMA])
    path = tmp_path / "pi-2026-dinkes.pdf"
    path.write_bytes(sign_unchecked(first, backend, Peran.PIHAK_KEDUA, Level.B_LTA))
    done = run_kinerja("verify", str(path), "--trust", str(demo_store), env=_env())
    assert done.returncode == 1  # not the party's certificate
    plain = _printed(done)
    assert "\\x1b[2J\\x1b[1;32mALL VALID [green]Arif Wicaksono\\u202e" in plain
    assert not any(line.startswith("ALL VALID") for line in plain.splitlines())


def test_markup_and_line_breaks_in_a_workbook(
    example_workspace: Path, demo_store: Path, tmp_path: Path
) -> None:
    """A unit named with rich markup and a line break (Alt+Enter in Excel): check, generate,
    sign, verify and evaluate print it as it is, and none of them crashes."""
    ws = tmp_path / "ws"
    shutil.copytree(example_workspace, ws)
    book = ws / "kinerja.xlsx"
    wb = load_workbook(book)
    units = wb["Unit"]
    row = next(r for r in units.iter_rows(min_row=2) if r[0].value == "DINKES")
    row[1].value = "Dinas [/red]Kesehatan [bold]"
    wb.save(book)
    out = ws / "keluaran"

    done = run_kinerja("check", str(book), env=_env())
    assert done.returncode in (0, 2), done.stdout + done.stderr
    assert "Dinas [/red]Kesehatan [bold]" in _printed(done)

    done = run_kinerja("generate", str(book), "-o", str(out), "--only", "DINKES", env=_env())
    assert done.returncode == 0, done.stdout + done.stderr
    _printed(done)
    for role in ("pihak-pertama", "pihak-kedua"):
        done = run_kinerja("sign", str(out), "--role", role, "--keys", str(demo_store), env=_env())
        assert done.returncode == 0, done.stdout + done.stderr
        _printed(done)
    done = run_kinerja("verify", str(out), "--trust", str(demo_store), env=_env())
    assert done.returncode == 0, done.stdout + done.stderr
    _printed(done)
    template = tmp_path / "realisasi [/red].xlsx"
    done = run_kinerja(
        "evaluate", str(out), "--trust", str(demo_store), "--template", str(template), env=_env()
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "realisasi [/red].xlsx" in _printed(done)
    done = run_kinerja(
        "evaluate",
        str(out),
        "--trust",
        str(demo_store),
        "--realisasi",
        str(template),
        "-o",
        str(tmp_path / "evaluasi"),
        "--format",
        "json,xlsx",
        env=_env(),
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # a blank realisasi: refused
    _printed(done)


def test_a_line_break_in_a_workbook_cell_stays_in_its_line(
    example_workspace: Path, tmp_path: Path
) -> None:
    book = tmp_path / "kinerja.xlsx"
    shutil.copy(example_workspace / "kinerja.xlsx", book)
    wb = load_workbook(book)
    units = wb["Unit"]
    row = next(r for r in units.iter_rows(min_row=2) if r[0].value == "DINKES")
    row[1].value = "Dinas Kesehatan\nVALID [/red]"
    row[2].value = "dinas\n[/red]"  # a Jenis Unit that is not one: an error quoting it
    wb.save(book)
    done = run_kinerja("check", str(book), env=_env())
    assert done.returncode == 2, done.stdout + done.stderr
    plain = _printed(done)
    assert not any(line.startswith(("VALID", "[/red]")) for line in plain.splitlines()), plain
