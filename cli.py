"""kinerja: the command line. Thin: parse options, call the library, print, map errors to exits.

Exit codes (signer.errors.ExitCode): 0 ok, 1 verification or evaluation failed, 2 bad input or
usage, 3 a program kinerja needs is missing, 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from signer import __version__, lock
from signer.display import cell, json_text, lines, markup, shown
from signer.errors import ExitCode, InputError, KinerjaError, Problem
from signer.evaluate.outputs import WRITERS
from signer.evaluate.results import Periode
from signer.kinds import JenisDokumen
from signer.model import Peran

if TYPE_CHECKING:
    from signer.batch import Outcome
    from signer.evaluate.results import Evaluation
    from signer.verify import Report
    from signer.verify.check import Check

F = TypeVar("F", bound=Callable[..., Any])

# Human output prints data (names, paths, messages that quote them) through signer.display:
# shown() for plain text, cell() in tables, markup() where a line has markup of ours. Markup and
# emoji codes are off unless a print asks for markup, so data is never read as either.
console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
console_err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def user_errors(fn: F) -> F:
    """Turn library errors into one clear message and the right exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KinerjaError as e:
            first, *rest = lines(e) or [""]
            console_err.print(f"error: {first}")
            for line in rest:
                console_err.print(line)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            console_err.print("interrupted; run the same command again to carry on", markup=False)
            sys.exit(ExitCode.INTERRUPTED)
        finally:
            lock.release_all()  # the folders a command locked are free when it ends

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
@click.option("-v", "--verbose", is_flag=True, help="Show the libraries' log messages.")
def main(verbose: bool) -> None:
    """Perjanjian Kinerja and Pakta Integritas for Indonesian local governments.

    init -> generate -> sign (pihak pertama, then pihak kedua) -> verify -> evaluate
    """
    # pyHanko logs tracebacks for conditions we report ourselves, in one line each
    logging.basicConfig(
        level=logging.INFO if verbose else logging.CRITICAL, format="%(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:  # the libraries' messages quote the files too
        handler.setFormatter(_SafeLogFormatter("%(name)s: %(message)s"))


class _SafeLogFormatter(logging.Formatter):
    """A log record made safe to print: its message on one line, a traceback's lines each."""

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args = shown(record.getMessage()), None
        return "\n".join(shown(line) for line in super().format(safe).split("\n"))


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite the example files if they exist.")
@user_errors
def init(folder: Path, force: bool) -> None:
    """Write an example workspace into FOLDER: kinerja.xlsx, realisasi.xlsx and the logo."""
    from signer.example.workspace import write_workspace

    lock.hold([folder, folder / "keys"], "kinerja init")
    written = write_workspace(folder, force=force)
    for path in written:
        console.print(f"wrote {shown(path)}")
    from signer.demo import make_demo_store

    make_demo_store(folder / "keys", written[0], force=force)
    console.print(
        f"wrote {shown(folder / 'keys')} (demo PKI; passphrase from $KINERJA_PASSPHRASE, "
        "default: demo)"
    )
    for line in _next_steps(folder, written[0], written[1]):
        console.print(shown(line))


def _program() -> str:
    """kinerja as the user can type it here: `kinerja` when on PATH, else the path they ran."""
    import shutil

    ran = Path(sys.argv[0])
    if ran.name != "kinerja":  # run through python or a test runner
        return "kinerja"
    found = shutil.which("kinerja")
    if found and Path(found).resolve() == ran.resolve():
        return "kinerja"
    return _as_typed(ran)


def _as_typed(path: Path) -> str:
    """A path as typed from the current folder: relative below it, else absolute."""
    import os

    relative = os.path.relpath(path.resolve())
    return relative if not relative.startswith("..") and "/" in relative else str(path.resolve())


def _next_steps(folder: Path, workbook: Path, realisasi: Path) -> list[str]:
    """What to type next, as typed from here (with the demo keys' passphrase)."""
    import shlex

    k = shlex.quote(_program())
    q = {
        n: shlex.quote(str(p))
        for n, p in {
            "wb": workbook,
            "out": folder / "keluaran",
            "keys": folder / "keys",
            "real": realisasi,
            "eval": folder / "evaluasi",
        }.items()
    }
    sign = f"KINERJA_PASSPHRASE=demo {k} sign {q['out']} --keys {q['keys']} --role"
    steps = [
        "next (the demo keys' passphrase is demo):",
        f"  {k} check {q['wb']}",
        f"  {k} generate {q['wb']} -o {q['out']}",
        f"  {sign} pihak-pertama",
        f"  {sign} pihak-kedua",
        f"  {k} verify {q['out']} --trust {q['keys']}",
        f"  {k} evaluate {q['out']} --trust {q['keys']} --realisasi {q['real']} -o {q['eval']}",
    ]
    if k != "kinerja" and sys.prefix != sys.base_prefix:
        activate = _as_typed(Path(sys.prefix) / "bin" / "activate")
        steps.append(f"or put kinerja on PATH in this shell: source {shlex.quote(activate)}")
    return steps


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@json_option
@user_errors
def check(workbook: Path, as_json: bool) -> None:
    """Read WORKBOOK and report every problem, or a summary of the ceremony it holds."""
    from signer.canonical import to_dict
    from signer.names import name_warnings
    from signer.workbooks.ceremony_read import read_workbook

    ceremony = read_workbook(workbook)
    warnings = name_warnings(ceremony)
    if as_json:
        report = {
            "agreements": [to_dict(a) for a in ceremony.agreements],
            "warnings": [{**asdict(w), "text": str(w)} for w in ceremony.warnings]
            + [_name_warning(w) for w in warnings],
        }
        print(json_text(json.dumps(report, ensure_ascii=False, indent=1)))
        return
    _print_warnings(ceremony.warnings)
    from rich.table import Table

    table = Table(title=cell(f"{ceremony.instansi.nama}, {ceremony.tahun}"))
    for col in ("document", "unit", "pihak pertama", "pihak kedua", "indikator", "program"):
        table.add_column(col)
    for a in ceremony.agreements:
        table.add_row(
            cell(a.id),
            cell(a.unit.nama),
            cell(a.pihak_pertama.nama),
            cell(a.pihak_kedua.nama if a.pihak_kedua else "(none: signed alone)"),
            str(len(a.indikator)),
            str(len(a.program)),
        )
    console.print(table)
    for w in warnings:
        console.print(f"warning: {shown(w)}")
    noted = f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
    console.print(f"{len(ceremony.agreements)} documents, no problems{noted}")


def _name_warning(text: str) -> dict[str, str | None]:
    """A name warning in the shape of a workbook warning (it concerns a document, not a cell)."""
    return {
        "sheet": None,
        "row": None,
        "column": None,
        "header": None,
        "message": text,
        "text": text,
    }


def _print_warnings(warnings: Sequence[Problem]) -> None:
    """What reading a workbook noticed but accepted, on stderr: it never stops a command."""
    for w in warnings:
        console_err.print(f"warning: {shown(w)}")


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
@click.option(
    "--replaces",
    "replaces",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Where else to look for the signed agreement a PK Perubahan replaces (perubahan ke-N "
    "replaces ke-(N-1), ke-1 the original PK, found as <its id>.pdf in OUT first, then in each "
    "DIR); repeatable. Not found, unsigned, or of another unit or year: exit 2.",
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
    replaces: tuple[Path, ...],
    docx: bool,
    timeout: float,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Generate one ready-to-sign PDF/A-3b per agreement of WORKBOOK."""
    from signer.batch import default_jobs
    from signer.generate.render import Kertas
    from signer.generate.revisions import link_revisions
    from signer.generate.stage import GenerateOptions, generate, select
    from signer.verify.run import prepared_problems
    from signer.workbooks.ceremony_read import read_workbook

    whole = read_workbook(workbook)
    _print_warnings(whole.warnings)
    ceremony = select(whole, only, [JenisDokumen(k) for k in kinds])
    if not ceremony.agreements:
        raise InputError("nothing to generate: no agreement matches --only/--kind")
    lock.hold([out], "kinerja generate")
    ceremony = link_revisions(ceremony, out, replaces)
    options = GenerateOptions(
        out=out,
        templates=_parse_templates(templates, {a.jenis for a in ceremony.agreements}),
        kertas=Kertas(paper),
        docx=docx,
        jobs=jobs or default_jobs(),
        timeout=timeout,
        progress=not as_json,
        audit=prepared_problems,
    )
    outcomes = generate(ceremony, workbook, options)
    _report(outcomes, as_json, verb="generated", folder=out)


def _report(
    outcomes: Sequence[Outcome[Any]], as_json: bool, verb: str, folder: Path | None = None
) -> None:
    """Print a batch's outcomes and warnings; exit with bad input when any file failed, else
    with a failed verification when one was refused as it would not verify."""
    from signer.batch import Status, summary
    from signer.generate import Generated

    if as_json:
        rows = [
            {
                "file": o.name,
                "status": o.status.value,
                "detail": o.detail,
                "warnings": list(o.warnings),
                "seconds": round(o.seconds, 3),
                **(o.value.as_dict() if isinstance(o.value, Generated) else {}),
            }
            for o in outcomes
        ]
        print(json_text(json.dumps(rows, ensure_ascii=False, indent=1)))
    else:
        # one line per file that needs attention, unwrapped, so it can be read and grepped
        for o in outcomes:
            if o.status in (Status.FAILED, Status.REFUSED):
                console_err.print(f"error: {shown(o.detail)}")
            elif o.status is Status.KEPT:
                console.print(f"kept: {shown(o.name)}: {shown(o.detail)}")
            for warning in o.warnings:
                console_err.print(f"warning: {shown(o.name)}: {shown(warning)}")
        counts = summary(outcomes)
        parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
        where = f" in {shown(folder)}" if folder else ""
        console.print(f"{verb} {len(outcomes)} documents{where}: {', '.join(parts)}")
    if any(o.status is Status.FAILED for o in outcomes):
        sys.exit(ExitCode.BAD_INPUT)
    if any(o.status is Status.REFUSED for o in outcomes):  # made, but it would not verify
        sys.exit(ExitCode.FAILED)


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
    from signer.example.workspace import sample_agreement
    from signer.generate.render import load_template
    from signer.generate.template_check import check_template

    report = check_template(load_template(file), [sample_agreement(JenisDokumen(kind))])
    used = ", ".join(sorted(report.used))
    console.print(f"{shown(file)} uses {len(report.used)} variables: {shown(used)}")
    if report.unknown:
        raise InputError(f"{file}: kinerja does not provide {', '.join(sorted(report.unknown))}")
    if report.render_error:
        raise InputError(f"{file}: a trial render of the example failed: {report.render_error}")
    console.print("every variable is provided; the example renders")


def _secret(env: str, what: str) -> bytes:
    """A passphrase or PIN: from the environment variable, else a hidden prompt (never argv)."""
    from signer.secret import secret_from_env

    interactive = sys.stdin.isatty()
    return secret_from_env(
        env,
        what,
        prompt=(lambda w: click.prompt(w.capitalize(), hide_input=True, err=True))
        if interactive
        else None,
    )


def key_options(fn: F) -> F:
    for option in reversed(
        [
            click.option(
                "--keys",
                "keys_dir",
                type=click.Path(path_type=Path),
                help="Key store folder: the PKCS#12 of each document's party.",
            ),
            click.option(
                "--p12",
                type=click.Path(path_type=Path),
                help="One PKCS#12 file (passphrase from $KINERJA_PASSPHRASE or a prompt).",
            ),
            click.option("--pkcs11-module", metavar="LIB", help="PKCS#11 module of a token."),
            click.option("--token-label", metavar="LABEL", help="The token's label."),
            click.option(
                "--key-label",
                metavar="LABEL",
                help="The key's label on the token (PIN from $KINERJA_PIN or a prompt).",
            ),
            click.option(
                "--csc",
                metavar="URL",
                help="A CSC API v2 remote signing service (token from $KINERJA_CSC_TOKEN, "
                "PIN from $KINERJA_PIN or a prompt).",
            ),
            click.option(
                "--csc-credential",
                metavar="ID",
                help="The CSC credential to sign with (default: the party's, by name).",
            ),
            click.option(
                "--csc-ca",
                type=click.Path(path_type=Path),
                help="CA certificate of the CSC service's HTTPS (a private CA).",
            ),
            click.option("--tsa-url", metavar="URL", help="RFC 3161 timestamp authority."),
            click.option(
                "--trust",
                multiple=True,
                type=click.Path(path_type=Path),
                help="Trust anchor certificate or folder; repeatable.",
            ),
        ]
    ):
        fn = option(fn)
    return fn


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Peran]),
    help="Which party signs: pihak-pertama first, then pihak-kedua.",
)
@click.option(
    "--level",
    type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]),
    default="B-LTA",
    show_default=True,
    help="PAdES baseline level.",
)
@click.option(
    "--certificate",
    "pins",
    multiple=True,
    metavar="WHO=SHA256|CERT",
    help="The certificate of a party, by its SHA-256 fingerprint or a certificate file; WHO is "
    "pihak-pertama or pihak-kedua (every document), a NIP, or a name as the workbook writes it. "
    "Needed where a name cannot tell parties apart (two with one plain name); repeatable.",
)
@key_options
@out_option
@jobs_option
@json_option
@user_errors
def sign(
    files: tuple[Path, ...],
    role: str,
    level: str,
    pins: tuple[str, ...],
    keys_dir: Path | None,
    p12: Path | None,
    pkcs11_module: str | None,
    token_label: str | None,
    key_label: str | None,
    csc: str | None,
    csc_credential: str | None,
    csc_ca: Path | None,
    tsa_url: str | None,
    trust: tuple[Path, ...],
    out: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Sign prepared agreements as pihak pertama or pihak kedua (in place, or into --out).

    Each certificate's holder must be the document's party by the name without gelar, or the
    one --certificate names for the party. Every document's certificate and rules are checked
    before the first signature (one that fails stops the batch, nothing signed); before each
    signature the document must pass the full verify policy for what is signed so far, and the
    result is verified again before it is written.
    """
    from signer.batch import default_jobs, expand_inputs
    from signer.sign import KeySource, Level, SignOptions, open_local, sign_files, written_folders
    from signer.trust import load_party_pins, load_trust_config
    from signer.verify import SigningAudit

    party_pins = load_party_pins(pins)

    inputs = expand_inputs(files)
    lock.hold(written_folders(inputs, out), "kinerja sign")
    source = KeySource(
        keys_dir, p12, pkcs11_module, token_label, key_label, csc, csc_credential, csc_ca
    )
    # a demo key store is also the trust (its root, its in-process revocation answers)
    demo_trust = [keys_dir] if keys_dir is not None and _is_demo_store(keys_dir) else []
    audit = SigningAudit(load_trust_config([*trust, *demo_trust], party_pins=pins))
    backend = open_local(source, secret=_secret, tsa_url=tsa_url, trust=trust, pins=party_pins)
    try:
        options = SignOptions(
            Peran(role),
            Level(level),
            out,
            jobs or default_jobs(),
            not as_json,
            party_pins,
            # files named one by one: a role the document does not have is refused; a folder
            # signed as pihak kedua leaves the kepala daerah's own PK alone (kept)
            strict_roles=not any(f.is_dir() for f in files),
        )
        outcomes = sign_files(inputs, backend, audit, options)
    finally:
        backend.close()
    _report(outcomes, as_json, verb="signed", folder=out)


def _is_demo_store(folder: Path) -> bool:
    from signer.demo_pki.pki import is_demo_store

    return is_demo_store(folder)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--keys",
    "keys_dir",
    type=click.Path(path_type=Path),
    help="A demo key store: its in-process TSA and revocation answers.",
)
@click.option("--tsa-url", metavar="URL", help="RFC 3161 timestamp authority.")
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Trust anchor certificate or folder; repeatable.",
)
@jobs_option
@json_option
@user_errors
def extend(
    files: tuple[Path, ...],
    keys_dir: Path | None,
    tsa_url: str | None,
    trust: tuple[Path, ...],
    jobs: int | None,
    as_json: bool,
) -> None:
    """Add a fresh archival timestamp to signed agreements (before the last one expires)."""
    from signer.batch import default_jobs, expand_inputs
    from signer.sign.extend import extend_files, services_for_extend

    inputs = expand_inputs(files)
    lock.hold({f.path.parent for f in inputs if f.path.exists()}, "kinerja extend")
    services = services_for_extend(keys_dir, tsa_url, trust)
    outcomes = extend_files(inputs, services, jobs or default_jobs(), progress=not as_json)
    _report(outcomes, as_json, verb="extended")


@main.group()
def keys() -> None:
    """Key stores: `kinerja keys demo DIR` makes an offline demo PKI."""


@keys.command("demo")
@click.argument("folder", type=click.Path(path_type=Path), default=Path("keys"))
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),
    help="Make a certificate for every party of this workbook (default: the example).",
)
@click.option("--force", is_flag=True, help="Replace an existing demo key store.")
@user_errors
def keys_demo(folder: Path, workbook: Path | None, force: bool) -> None:
    """A complete offline demo PKI in FOLDER: CAs, TSA, OCSP, CRLs, one PKCS#12 per party.

    The PKCS#12 files are protected by $KINERJA_PASSPHRASE (default: demo).
    """
    from signer.demo import make_demo_store

    lock.hold([folder], "kinerja keys demo")
    manifest = make_demo_store(folder, workbook, force=force)
    parties = manifest["parties"]
    assert isinstance(parties, list)
    console.print(
        f"demo PKI in {shown(folder)}: {len(parties)} parties, trust anchor "
        f"{shown(folder / str(manifest['trust_anchor']))}"
    )


@keys.command("list")
@click.argument("folder", type=click.Path(path_type=Path), default=Path("keys"))
@json_option
@user_errors
def keys_list(folder: Path, as_json: bool) -> None:
    """List the certificates of a key store: holder, issuer, validity, SHA-256 (what
    --certificate takes)."""
    from signer.demo_pki.pki import is_demo_store, passphrase_from_env
    from signer.secret import PASSPHRASE_ENV
    from signer.sign.keys import KeyStore

    passphrase = (
        passphrase_from_env()
        if is_demo_store(folder)
        else _secret(PASSPHRASE_ENV, "key store passphrase")
    )
    store = KeyStore(folder, passphrase)
    rows = [
        {
            "holder": c.holder,
            "file": c.source,
            "issuer": c.certificate.issuer.native.get("common_name"),
            "not_before": c.not_before.isoformat(),
            "not_after": c.not_after.isoformat(),
            "sha256": c.sha256,
        }
        for c in store.credentials
    ]
    if as_json:
        print(json_text(json.dumps(rows, ensure_ascii=False, indent=1)))
        return
    from rich.table import Table

    table = Table()
    for column in ("holder", "file", "issuer", "not_after", "sha256"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            *(cell(r[k]) for k in ("holder", "file", "issuer")),
            cell(r["not_after"][:10]),
            cell(r["sha256"]),
        )
    console.print(table)


def _parse_at(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--at {value}: expected a date or date and time, e.g. 2031-06-30 or "
            "2031-06-30T09:00+07:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Trust anchor certificate, folder of them, or a demo key store; repeatable "
    "(also $KINERJA_TRUST).",
)
@click.option(
    "--at", "at", metavar="DATETIME", help="Validate at this time, from the proofs inside the file."
)
@click.option(
    "--offline",
    is_flag=True,
    help="Never fetch current revocation data; use only what the file carries.",
)
@click.option(
    "--pin",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Accept only signers with these certificates; repeatable.",
)
@click.option(
    "--certificate",
    "party_pins",
    multiple=True,
    metavar="WHO=SHA256|CERT",
    help="The certificate of a party, by SHA-256 fingerprint or certificate file; WHO is "
    "pihak-pertama or pihak-kedua (every document), a NIP, or a name as the workbook writes it. "
    "Needed for VALID where a name cannot tell parties apart (two with one plain name); "
    "repeatable.",
)
@click.option("--list-checks", is_flag=True, help="List every check with what it requires.")
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Seconds one document may take; past it, it is unusable (exit 2) and the rest go on.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=64),
    default=1024,
    show_default=True,
    metavar="MB",
    help="Memory one document's verification may use (a decompression bomb stops there).",
)
@jobs_option
@json_option
@user_errors
def verify(
    paths: tuple[Path, ...],
    trust: tuple[Path, ...],
    at: str | None,
    offline: bool,
    pin: tuple[Path, ...],
    party_pins: tuple[str, ...],
    list_checks: bool,
    timeout: int,
    max_memory: int,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Verify signed agreements: a fail-closed verdict per document.

    Exit 0 when every document is VALID, 1 when any is INVALID or INDETERMINATE, 2 for
    unusable input.
    """
    from signer.batch import Limits, default_jobs, expand_inputs
    from signer.trust import load_trust_config
    from signer.verify import Verdict, VerifyOptions, envelope, every_check, verify_paths

    if list_checks:
        _print_checks(every_check(), as_json)
        return
    if not paths:
        raise click.UsageError("give the PDF files or folders to verify")
    files = [f.path for f in expand_inputs(paths)]
    trust_config = load_trust_config(trust, online=not offline, pinned=pin, party_pins=party_pins)
    options = VerifyOptions(trust_config, _parse_at(at))
    limits = Limits(memory_mb=max_memory, seconds=timeout)
    results = verify_paths(files, options, jobs or default_jobs(), not as_json, limits)
    unusable = [r for r in results if isinstance(r, InputError)]
    reports = [r for r in results if not isinstance(r, InputError)]
    if as_json:
        print(
            json_text(
                json.dumps(envelope(reports, unusable, options.at), ensure_ascii=False, indent=1)
            )
        )
    else:
        _print_reports(reports, unusable)
    if unusable:
        sys.exit(ExitCode.BAD_INPUT)
    if any(r.verdict is not Verdict.VALID for r in reports):
        sys.exit(ExitCode.FAILED)


def _print_checks(checks: Sequence[Check], as_json: bool) -> None:
    if as_json:
        rows = [{"name": c.name, "description": c.description} for c in checks]
        print(json_text(json.dumps(rows, ensure_ascii=False, indent=1)))
        return
    from rich.table import Table

    table = Table(title="verify checks")
    table.add_column("check")
    table.add_column("what it requires")
    for c in checks:
        table.add_row(cell(c.name), cell(c.description))
    console.print(table)


def _print_reports(reports: Sequence[Report], unusable: Sequence[InputError]) -> None:
    from signer.verify import Verdict

    colour = {Verdict.VALID: "green", Verdict.INVALID: "red", Verdict.INDETERMINATE: "yellow"}
    many = len(reports) + len(unusable) > 3
    for r in reports:
        if many and r.verdict is Verdict.VALID:
            continue
        console.print(
            f"[bold {colour[r.verdict]}]{r.verdict.value}[/] {markup(r.file)}"
            + (
                f"  ({markup(r.agreement_id)}, data {markup(r.sha256[:16])}…)"
                if r.agreement_id and r.sha256
                else ""
            ),
            markup=True,
        )
        for s in r.signatures:
            when = f"{s.signing_time} ({s.time_source})" if s.signing_time else "no time"
            console.print(
                shown(
                    f"  {s.role or s.field}: {s.signer}, issued by {s.issuer}, {when}, "
                    f"{s.level or '?'}"
                )
            )
        for c in r.failures:
            console.print(f"  [{colour[c.verdict]}]✗[/] {markup(c)}", markup=True)
    for e in unusable:
        console_err.print(f"error: {' / '.join(lines(e))}")
    if many:
        from rich.table import Table

        table = Table(title="verification")
        table.add_column("verdict")
        table.add_column("documents", justify="right")
        for v in Verdict:
            table.add_row(v.value, str(sum(1 for r in reports if r.verdict is v)))
        if unusable:
            table.add_row("unusable", str(len(unusable)))
        console.print(table)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--realisasi",
    "realisasi_book",
    type=click.Path(path_type=Path),
    help="The filled realisasi workbook.",
)
@click.option(
    "--periode",
    type=click.Choice([p.value for p in Periode]),
    default="tahunan",
    show_default=True,
    help="The year, or a triwulan (cumulative realisasi against the triwulan target).",
)
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Trust anchors for verifying the agreements first (as for verify).",
)
@click.option(
    "--cap",
    type=click.FloatRange(min=1),
    default=None,
    help="Cap each capaian at this percent when averaging (e.g. 100 or 120).",
)
@click.option(
    "--rentang-above",
    type=click.Choice(["symmetric", "ratio"]),
    default="symmetric",
    show_default=True,
    help="Above a target range: symmetric (2 x upper - realisasi) / upper, or upper / realisasi.",
)
@click.option("--allow-negative", is_flag=True, help="Keep negative capaian instead of 0.")
@click.option(
    "--template",
    "template_out",
    type=click.Path(path_type=Path),
    help="Instead: write a blank realisasi workbook for the verified agreements.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --template: replace the file even if realisasi has been typed into it.",
)
@click.option(
    "--format",
    "formats",
    default=",".join(WRITERS),
    show_default=True,
    metavar="FORMATS",
    help=f"Which files to write into -o, comma-separated ({', '.join(WRITERS)}); "
    "only pdf needs LibreOffice.",
)
@out_option
@jobs_option
@json_option
@user_errors
def evaluate(
    paths: tuple[Path, ...],
    realisasi_book: Path | None,
    periode: str,
    trust: tuple[Path, ...],
    cap: float | None,
    rentang_above: str,
    allow_negative: bool,
    template_out: Path | None,
    force: bool,
    formats: str,
    out: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Evaluate realisasi against the targets of agreements that verify.

    Each agreement is verified first; only VALID ones of the pemerintah daerah and year of the
    realisasi workbook are evaluated, of each unit the one in force for the period (a PK
    Perubahan replaces the PK from its date on); exit 1 if any is refused or a unit of the
    workbook has no agreement in force.
    """
    from decimal import Decimal

    from signer.batch import default_jobs, expand_inputs
    from signer.evaluate.capaian import Rules
    from signer.evaluate.outputs import parse_formats, write_outputs
    from signer.evaluate.stage import (
        EvaluateOptions,
        evaluate_workbook,
        for_template,
        may_write_template,
        verify_for_evaluation,
    )
    from signer.trust import load_trust_config
    from signer.workbooks.realisasi import write_realisasi

    chosen = parse_formats(formats)
    files = [f.path for f in expand_inputs(paths)]
    rules = Rules(
        floor_negative=not allow_negative,
        rentang_above=rentang_above,
        cap_for_average=Decimal(str(cap)) if cap else None,
    )
    options = EvaluateOptions(
        load_trust_config(trust),
        Periode(periode),
        rules,
        jobs or default_jobs(),
        progress=not as_json,
    )
    if template_out is None and realisasi_book is None:
        raise InputError("give --realisasi WORKBOOK (or --template OUT.xlsx for a blank one)")
    if template_out is None and out is None and not as_json:
        raise InputError("give -o OUT for the evaluation files (or --json)")
    writes = [template_out.parent] if template_out is not None else [out] if out else []
    lock.hold(writes, "kinerja evaluate")
    if template_out is not None:
        may_write_template(template_out, force)
    verified = verify_for_evaluation(files, options)
    for message in verified.unusable:
        console_err.print(f"error: {shown(message)}")
    results = verified.results
    if template_out is not None:
        agreements = for_template(verified)
        write_realisasi(agreements, template_out)
        console.print(
            f"wrote {shown(template_out)} for {len(agreements)} verified agreements in force"
        )
    else:
        assert realisasi_book is not None
        evaluation = evaluate_workbook(verified, realisasi_book, options)
        written = write_outputs(evaluation, out, chosen) if out is not None else []
        if as_json:
            print(json_text(evaluation.to_json()))
        else:
            _print_evaluation(evaluation, written)
        results = evaluation.results
    if verified.unusable:
        sys.exit(ExitCode.BAD_INPUT)
    if any(r.status.failed for r in results):
        sys.exit(ExitCode.FAILED)


def _print_evaluation(evaluation: Evaluation, written: list[Path]) -> None:
    from rich.table import Table

    from signer import formatting
    from signer.evaluate.outputs.common import summary_line

    table = Table(
        title=cell(f"Capaian kinerja {evaluation.periode.label} {evaluation.tahun or ''}")
    )
    for column in ("unit", "status", "capaian", "kategori", "serapan anggaran"):
        table.add_column(
            column, justify="right" if column in ("capaian", "serapan anggaran") else "left"
        )
    for r in evaluation.results:
        table.add_row(
            cell(r.unit_nama or r.file),
            cell(r.status.value),
            f"{formatting.persen(r.capaian)} %" if r.capaian is not None else "",
            cell(r.kategori or (r.reason or "")[:60]),
            f"{formatting.persen(r.serapan)} %" if r.serapan is not None else "",
        )
    console.print(table)
    console.print(shown(summary_line(evaluation)))
    for path in written:
        console.print(f"wrote {shown(path)}")


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

    lock.hold([out, *(out / sub for sub in demo_run.FOLDERS)], "kinerja demo")
    demo_run.run(
        out, report=lambda step: _out_line(f"[bold]{markup(step.name)}[/]: {markup(step.detail)}")
    )


def _out_line(text: str) -> None:
    console.print(text, markup=True)


if __name__ == "__main__":  # pragma: no cover
    main()
