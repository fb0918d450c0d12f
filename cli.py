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
from signer.errors import InputError, KinerjaError, NotBuiltYet
from signer.model import JenisDokumen

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


def _parse_templates(values: tuple[str, ...], kinds: set[JenisDokumen]) -> dict[JenisDokumen, Path]:
    """--template FILE (for every selected kind) or --template KIND=FILE."""
    chosen: dict[JenisDokumen, Path] = {}
    for value in values:
        kind_text, sep, file = value.partition("=")
        if sep and kind_text in {k.value for k in JenisDokumen}:
            chosen[JenisDokumen(kind_text)] = Path(file)
        else:
            for k in kinds:
                chosen[k] = Path(value)
    for path in chosen.values():
        if not path.is_file():
            raise InputError(f"--template {path}: no such file")
    return chosen


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the PDFs (one per agreement, named after its id).",
)
@click.option("--only", multiple=True, metavar="UNIT", help="Only this unit (kode); repeatable.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in JenisDokumen]),
    help="Only this kind of document; repeatable.",
)
@click.option(
    "--template",
    "templates",
    multiple=True,
    metavar="[KIND=]FILE",
    help="Your own Word template, for every kind or for KIND only; repeatable.",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "f4"]),
    default="a4",
    show_default=True,
    help="Paper size: A4, or F4/folio (215 x 330 mm).",
)
@click.option("--docx", is_flag=True, help="Also keep the rendered Word document of each PDF.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds LibreOffice may take per document before it is restarted.",
)
@jobs_option
@json_option
@user_errors
def generate(
    workbook: Path,
    out: Path,
    only: tuple[str, ...],
    kinds: tuple[str, ...],
    templates: tuple[str, ...],
    paper: str,
    docx: bool,
    timeout: float,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Generate one ready-to-sign PDF/A-3b per agreement of WORKBOOK."""
    from signer.batch import default_jobs
    from signer.generate import GenerateOptions, generate, select
    from signer.render import Kertas
    from signer.workbook import read_workbook

    ceremony = select(read_workbook(workbook), only, [JenisDokumen(k) for k in kinds])
    if not ceremony.agreements:
        raise InputError("nothing to generate: no agreement matches --only/--kind")
    options = GenerateOptions(
        out=out,
        templates=_parse_templates(templates, {a.jenis for a in ceremony.agreements}),
        kertas=Kertas(paper),
        docx=docx,
        jobs=jobs or default_jobs(),
        timeout=timeout,
        progress=not as_json,
    )
    outcomes = generate(ceremony, workbook, options)
    _report(outcomes, as_json, verb="generated", folder=out)


def _report(outcomes: list[Any], as_json: bool, verb: str, folder: Path | None = None) -> None:
    """Print a batch's outcomes; exit 2 when any file failed."""
    from signer.batch import Status, summary

    if as_json:
        print(
            json.dumps(
                [
                    {
                        "file": o.name,
                        "status": o.status.value,
                        "detail": o.detail,
                        "seconds": round(o.seconds, 3),
                        **o.extra,
                    }
                    for o in outcomes
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        from rich.table import Table

        unusual = [o for o in outcomes if o.status not in (Status.DONE, Status.SKIPPED)]
        if unusual:
            table = Table(show_header=True, header_style="bold")
            for column in ("file", "status", "detail"):
                table.add_column(column, overflow="fold")
            for o in unusual:
                table.add_row(o.name, o.status.value, o.detail)
            console.print(table)
        counts = summary(outcomes)
        parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
        where = f" in {folder}" if folder else ""
        console.print(f"{verb} {len(outcomes)} documents{where}: {', '.join(parts)}")
    if any(o.status is Status.FAILED for o in outcomes):
        sys.exit(2)


@main.group()
def template() -> None:
    """Inspect Word templates."""


@template.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice([k.value for k in JenisDokumen]),
    default=JenisDokumen.PERJANJIAN_KINERJA.value,
    show_default=True,
    help="The kind of document the template is for (used for a trial render).",
)
@user_errors
def template_check(file: Path, kind: str) -> None:
    """List the variables FILE uses and report any that kinerja does not provide."""
    from signer.render import check_template, load_template

    report = check_template(load_template(file), JenisDokumen(kind))
    console.print(f"{file} uses {len(report.used)} variables: {', '.join(sorted(report.used))}")
    if report.unknown:
        raise InputError(f"{file}: kinerja does not provide {', '.join(sorted(report.unknown))}")
    if report.render_error:
        raise InputError(f"{file}: a trial render of the example failed: {report.render_error}")
    console.print("every variable is provided; the example renders")


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
