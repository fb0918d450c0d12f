"""signer.display: data printed for a human cannot act on the terminal or on rich."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from signer.display import cell, lines, markup, shown
from signer.errors import InputError, Problem, WorkbookError


@pytest.mark.parametrize(
    ("data", "seen"),
    [
        ("\x1b[2J\x1b[32mALL VALID", "\\x1b[2J\\x1b[32mALL VALID"),
        ("a.pdf\nVALID b.pdf", "a.pdf\\nVALID b.pdf"),
        ("tab\there\rcr", "tab\\there\\rcr"),
        ("bell\x07del\x7fc1\x9b", "bell\\x07del\\x7fc1\\x9b"),
        ("gpj.\u202eexe", "gpj.\\u202eexe"),
        ("\u2066iso\u2069 \u200f", "\\u2066iso\\u2069 \\u200f"),
        ("line\u2028sep", "line\\u2028sep"),
        ("Dinas Kesehatan [/red] Kota", "Dinas Kesehatan [/red] Kota"),  # plain text: kept
        ("Dr. Rina Kartikasari, S.KM., M.Kes.", "Dr. Rina Kartikasari, S.KM., M.Kes."),
    ],
)
def test_shown_writes_out_what_would_act(data: str, seen: str) -> None:
    assert shown(data) == seen


def _render(*renderables: object) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200)
    for r in renderables:
        console.print(r, markup=True, highlight=False)
    return out.getvalue()


def test_markup_and_cells_print_data_literally() -> None:
    data = "[/red][green]ALL VALID[/green] \x1b[2J"
    printed = _render(f"[bold]x[/] {markup(data)}")
    # the one escape is the bold of our own markup; the data's are written out
    assert printed.count("\x1b") == printed.count("\x1b[1m") + printed.count("\x1b[0m")
    assert "[/red][green]ALL VALID[/green] \\x1b[2J" in printed
    table = Table()
    table.add_column("unit")
    table.add_row(cell(data))
    assert "[/red][green]ALL VALID[/green]" in _render(table)


def test_an_error_keeps_its_own_lines_and_no_others() -> None:
    error = WorkbookError(
        "kinerja\nVALID.xlsx", [Problem("Unit", 3, "B", "Nama Unit", "'A\nB' too long")]
    )
    assert lines(error) == [
        "kinerja\\nVALID.xlsx: 1 problem found, nothing was written",
        "  Unit, row 3, column B (Nama Unit): 'A\\nB' too long",
    ]
    assert lines(InputError("x.pdf\n\x1b[2J: not a PDF file")) == [
        "x.pdf\\n\\x1b[2J: not a PDF file"
    ]
    assert lines(InputError.of_lines(["header:", "  one", "  two\n"])) == [
        "header:",
        "  one",
        "  two\\n",
    ]


def test_json_stays_the_same_value_and_safe_on_a_terminal() -> None:
    import json

    from signer.display import json_text

    value = {"unit": "Dinas\x1b[2J\x9b31m\u202eKesehatan\x7f", "file": "a\nb.pdf"}
    text = json_text(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not any(ch in text for ch in "\x1b\x9b\u202e\x7f\n")
