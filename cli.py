"""kinerja: the command line. Thin: parse options, call the library, print, map errors to exits.

Exit codes: 0 ok, 1 verification or evaluation failed, 2 bad input or usage.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from signer import __version__
from signer.errors import KinerjaError, NotBuiltYet

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors(fn: F) -> F:
    """Turn library errors into one clear message and the right exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KinerjaError as e:
            console_err.print(f"error: {e}", markup=False, highlight=False)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            console_err.print("interrupted; run the same command again to carry on", markup=False)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def out_option(fn: F) -> F:
    return click.option(
        "-o", "--out", type=click.Path(path_type=Path), help="Where to write the results."
    )(fn)


def json_option(fn: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print a machine-readable JSON report on stdout."
    )(fn)


def jobs_option(fn: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Parallel workers (default: one per core).",
    )(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kinerja")
def main() -> None:
    """Perjanjian Kinerja and Pakta Integritas for Indonesian local governments.

    init -> generate -> sign (pihak pertama, then pihak kedua) -> verify -> evaluate
    """


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite the example files if they exist.")
@user_errors
def init(folder: Path, force: bool) -> None:
    """Write an example workspace into FOLDER: kinerja.xlsx, realisasi.xlsx and the logo."""
    from signer.example import write_workspace

    written = write_workspace(folder, force=force)
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"next: kinerja generate {written[0]} -o {folder / 'keluaran'}")


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@json_option
@user_errors
def check(workbook: Path, as_json: bool) -> None:
    """Read WORKBOOK and report every problem, or a summary of the ceremony it holds."""
    from signer.canonical import to_dict
    from signer.workbook import read_workbook

    ceremony = read_workbook(workbook)
    if as_json:
        print(json.dumps([to_dict(a) for a in ceremony.agreements], ensure_ascii=False, indent=1))
        return
    from rich.table import Table

    table = Table(title=f"{ceremony.instansi.nama}, {ceremony.tahun}")
    for col in ("document", "unit", "pihak pertama", "pihak kedua", "indikator", "program"):
        table.add_column(col)
    for a in ceremony.agreements:
        table.add_row(
            a.id,
            a.unit.nama,
            a.pihak_pertama.nama,
            a.pihak_kedua.nama,
            str(len(a.indikator)),
            str(len(a.program)),
        )
    console.print(table)
    console.print(f"{len(ceremony.agreements)} documents, no problems")


def _not_built(name: str, issue: str) -> Callable[..., None]:
    def command(**_: Any) -> None:
        console_err.print(f"error: `kinerja {name}` is not built yet ({issue})", markup=False)
        sys.exit(NotBuiltYet.exit_code)

    return command


def _placeholder(
    name: str, help_text: str, issue: str, *options: Callable[[F], F], args: tuple[str, ...] = ()
) -> None:
    fn: Any = _not_built(name, issue)
    for opt in reversed(options):
        fn = opt(fn)
    for arg in reversed(args):
        fn = click.argument(arg, nargs=-1)(fn)
    main.command(name=name, help=help_text)(fn)


_placeholder(
    "generate",
    "Generate one ready-to-sign PDF/A-3b per agreement of WORKBOOK.",
    "the generate stage",
    out_option,
    jobs_option,
    json_option,
    args=("workbook",),
)
_placeholder(
    "sign",
    "Sign prepared agreements as pihak pertama or pihak kedua.",
    "the sign stage",
    out_option,
    jobs_option,
    json_option,
    args=("files",),
)
_placeholder(
    "verify",
    "Verify signed agreements: a fail-closed verdict per document.",
    "the verify stage",
    jobs_option,
    json_option,
    args=("paths",),
)
_placeholder(
    "evaluate",
    "Evaluate realisasi against the signed targets.",
    "the evaluate stage",
    out_option,
    jobs_option,
    json_option,
    args=("paths",),
)


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="The demo workspace folder.",
)
@user_errors
def demo(out: Path) -> None:
    """Run the whole ceremony on the example with an offline demo PKI."""
    from signer import demo as demo_run

    demo_run.run(out, report=lambda step: _out_line(f"[bold]{step.name}[/]: {step.detail}"))


def _out_line(text: str) -> None:
    console.print(text, markup=True)


_placeholder(
    "keys",
    "Manage key stores (`kinerja keys demo DIR` makes an offline demo PKI).",
    "the sign stage",
    args=("what",),
)


def run() -> None:  # pragma: no cover - for `python -m`
    main(prog_name=os.path.basename(sys.argv[0]) or "kinerja")


if __name__ == "__main__":  # pragma: no cover
    main()
