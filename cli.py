"""kinerja: the command line. Thin: parse options, call the library, print, map errors to exits.

Exit codes (signer.errors.ExitCode): 0 ok, 1 verification or evaluation failed, 2 bad input or
usage, 3 a program kinerja needs is missing, 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from signer import __version__, lock
from signer.display import cell, json_text, markup, shown
from signer.errors import ExitCode, InputError, Problem
from signer.evaluate.outputs import WRITERS
from signer.evaluate.results import Periode
from signer.kinds import JenisDokumen
from signer.model import Peran

if TYPE_CHECKING:
    from signer.verify import Report
    from signer.verify.second_opinion import SecondOpinion


# Human output prints data (names, paths, messages that quote them) through signer.display:
# shown() for plain text, cell() in tables, markup() where a line has markup of ours. Markup and
# emoji codes are off unless a print asks for markup, so data is never read as either.
from cli_cluster import dask_option, shared_files_option, verify_on_dask
from cli_common import (
    F,
    database_url,
    db_option,
    jobs_option,
    json_option,
    out_option,
    parse_datetime,
    user_errors,
)
from signer.terminal import (
    console,
    console_err,
    print_checks,
    print_evaluation,
    print_report_stream,
    report_outcomes,
    write_json_stream,
)


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
    report_outcomes(outcomes, as_json, verb="generated", folder=out)


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


def bsre_options(fn: F) -> F:
    for option in reversed(
        [
            click.option(
                "--bsre",
                metavar="URL",
                help="Sign through BSrE's eSign API at URL (client credentials from "
                "$KINERJA_BSRE_USER and $KINERJA_BSRE_PASSWORD).",
            ),
            click.option(
                "--bsre-id",
                metavar="NIK_OR_EMAIL",
                help="The signer's NIK or email at BSrE (passphrase from $KINERJA_PASSPHRASE "
                "or a prompt).",
            ),
            click.option(
                "--totp",
                is_flag=True,
                help="Sign with a TOTP from the BeSign app, not a passphrase.",
            ),
            click.option(
                "--bsre-ca",
                type=click.Path(path_type=Path),
                help="CA certificate of a BSrE server with a private TLS CA.",
            ),
            click.option(
                "--bsre-origin",
                type=click.Choice(["lower-left", "upper-left"]),
                default="lower-left",
                show_default=True,
                help="Where the server counts originX/originY from.",
            ),
            click.option(
                "--bsre-timeout",
                type=click.FloatRange(1, 3600),
                default=120,
                show_default=True,
                help="Seconds to wait for each answer.",
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
    help="PAdES baseline level [default: B-LTA; B-T with --bsre].",
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
@bsre_options
@out_option
@jobs_option
@json_option
@user_errors
def sign(
    files: tuple[Path, ...],
    role: str,
    level: str | None,
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
    bsre: str | None,
    bsre_id: str | None,
    totp: bool,
    bsre_ca: Path | None,
    bsre_origin: str,
    bsre_timeout: float,
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
    from signer.sign import (
        DocumentSigner,
        KeySource,
        Level,
        SignOptions,
        open_local,
        sign_files,
        written_folders,
    )
    from signer.trust import load_party_pins, load_trust_config
    from signer.verify import SigningAudit

    party_pins = load_party_pins(pins)

    inputs = expand_inputs(files)
    lock.hold(written_folders(inputs, out), "kinerja sign")
    backend: DocumentSigner
    if bsre is not None:
        if keys_dir or p12 or pkcs11_module or csc or tsa_url:
            raise InputError(
                "--bsre signs at BSrE: give no --keys, --p12, --pkcs11-module, --csc or --tsa-url"
            )
        if level not in (None, "B-T"):
            raise InputError(
                f"BSrE signs at B-T only, not {level}: then `kinerja extend --tsa-url URL` "
                "makes it B-LTA"
            )
        level = "B-T"
        demo_trust: list[Path] = []
        backend = _open_bsre(bsre, bsre_id, totp, bsre_ca, bsre_origin, bsre_timeout)
    else:
        source = KeySource(
            keys_dir, p12, pkcs11_module, token_label, key_label, csc, csc_credential, csc_ca
        )
        # a demo key store is also the trust (its root, its in-process revocation answers)
        demo_trust = [keys_dir] if keys_dir is not None and _is_demo_store(keys_dir) else []
        backend = open_local(source, secret=_secret, tsa_url=tsa_url, trust=trust, pins=party_pins)
    audit = SigningAudit(load_trust_config([*trust, *demo_trust], party_pins=pins))
    try:
        options = SignOptions(
            Peran(role),
            Level(level or "B-LTA"),
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
    report_outcomes(outcomes, as_json, verb="signed", folder=out)


def _bsre_client_credentials() -> tuple[str, str]:
    from signer.secret import BSRE_PASSWORD_ENV, BSRE_USER_ENV

    user = os.environ.get(BSRE_USER_ENV)
    if not user:
        raise InputError(f"no BSrE client user: set {BSRE_USER_ENV}")
    return user, _secret(BSRE_PASSWORD_ENV, "BSrE client password").decode()


def _totp(files: int) -> str:
    """A TOTP from the BeSign app: a hidden prompt, or a line on standard input."""
    what = f"TOTP from the BeSign app for {files} document{'s' if files != 1 else ''}"
    if sys.stdin.isatty():
        return str(click.prompt(what, hide_input=True, err=True)).strip()
    line = sys.stdin.readline().strip()
    if not line:
        raise InputError(f"no {what}: run interactively or give it on standard input")
    return line


def _open_bsre(
    url: str, signer_id: str | None, totp: bool, ca: Path | None, origin: str, timeout: float
) -> Any:
    from signer.remote.bsre import Origin
    from signer.secret import PASSPHRASE_ENV
    from signer.sign.bsre import open_bsre

    if not signer_id:
        raise InputError("--bsre needs --bsre-id NIK_OR_EMAIL: who signs")
    user, password = _bsre_client_credentials()
    passphrase = None
    if not totp:
        secret = _secret(PASSPHRASE_ENV, f"BSrE passphrase of {signer_id}").decode()
        passphrase = lambda: secret  # noqa: E731 (asked once, before anything is sent)
    return open_bsre(
        url,
        signer_id,
        client_user=user,
        client_password=password,
        passphrase=passphrase,
        totp=_totp if totp else None,
        ca_file=ca,
        origin=Origin(origin),
        timeout=timeout,
    )


@main.group()
def bsre() -> None:
    """BSrE's eSign API: check signers' accounts before a ceremony; run a local emulator."""


@bsre.command("status")
@click.option("--bsre", "url", required=True, metavar="URL", help="BSrE's eSign API.")
@click.option("--bsre-id", "signer_ids", required=True, multiple=True, metavar="NIK_OR_EMAIL")
@click.option("--bsre-ca", type=click.Path(path_type=Path), help="CA of a private TLS server.")
@json_option
@user_errors
def bsre_status(url: str, signer_ids: tuple[str, ...], bsre_ca: Path | None, as_json: bool) -> None:
    """Is each signer registered at BSrE, with a certificate that can sign? Exit 1 if not."""
    from signer.names import holder_names
    from signer.remote.bsre import BsreClient, UserStatus

    user, password = _bsre_client_credentials()
    client = BsreClient(url, user, password, bsre_ca)
    rows = []
    for signer_id in signer_ids:
        answer = client.user_status(signer_id)
        holder, until = "", ""
        if answer.status is UserStatus.ISSUE:
            certificate = client.certificate_chain(signer_id)[0]
            holder = (holder_names(certificate.subject.native) or [""])[0]
            until = f"{certificate.not_valid_after:%Y-%m-%d}"
        rows.append(
            {
                "id": signer_id,
                "status": answer.raw_status or answer.status.value,
                "code": answer.code,
                "holder": holder,
                "valid_until": until,
                "can_sign": answer.status is UserStatus.ISSUE,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            line = f"{row['id']}: {row['status']}"
            if row["can_sign"]:
                line += f", certificate of {row['holder']} valid until {row['valid_until']}"
            console.print(shown(line))
    if not all(r["can_sign"] for r in rows):
        sys.exit(ExitCode.FAILED)


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
    report_outcomes(outcomes, as_json, verb="extended")


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


def _second_opinion(url: str | None, ca: Path | None) -> Callable[[Report], SecondOpinion] | None:
    """BSrE's verify API on each file, with ``--bsre``: shown, never in place of the verdict."""
    if url is None:
        return None
    from signer.remote.bsre import BsreClient
    from signer.verify.second_opinion import ask_bsre

    user, password = _bsre_client_credentials()
    client = BsreClient(url, user, password, ca)
    return lambda report: ask_bsre(client, Path(report.file))


@bsre.command("emulator")
@click.option("--folder", required=True, type=click.Path(path_type=Path), help="Its PKI, kept.")
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),
    help="An account for every party of this workbook (default: the example).",
)
@click.option("--listen", default="127.0.0.1:0", show_default=True, help="HOST:PORT (0: any).")
@click.option("--tls", is_flag=True, help="HTTPS, with a server certificate from a demo TLS CA.")
@user_errors
def bsre_emulator(folder: Path, workbook: Path | None, listen: str, tls: bool) -> None:
    """Run a BSrE eSign API v2 emulator in the foreground until Ctrl-C (demo PKI, fictional
    accounts: never for real agreements)."""
    from signer.demo_bsre import serve_emulator

    lock.hold([folder], "kinerja bsre emulator")
    serve_emulator(folder, workbook, listen, tls)


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
@click.option(
    "--bsre",
    metavar="URL",
    help="Also ask BSrE's verify API at URL (a second opinion, shown beside the verdict).",
)
@click.option("--bsre-ca", type=click.Path(path_type=Path), help="CA of a private TLS server.")
@jobs_option
@dask_option
@shared_files_option
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
    bsre: str | None,
    bsre_ca: Path | None,
    jobs: int | None,
    dask: str | None,
    shared_files: bool,
    as_json: bool,
) -> None:
    """Verify signed agreements: a fail-closed verdict per document.

    Exit 0 when every document is VALID, 1 when any is INVALID or INDETERMINATE, 2 for
    unusable input. With --bsre, BSrE's verify API gives a second opinion, shown beside each
    verdict; it never changes the verdict or the exit code.
    """
    from signer.batch import Limits, default_jobs, expand_inputs
    from signer.trust import load_trust_config
    from signer.verify import Verdict, VerifyOptions, every_check, verify_iter

    if list_checks:
        print_checks(every_check(), as_json)
        return
    if not paths:
        raise click.UsageError("give the PDF files or folders to verify")
    files = [f.path for f in expand_inputs(paths)]
    trust_config = load_trust_config(trust, online=not offline, pinned=pin, party_pins=party_pins)
    options = VerifyOptions(trust_config, parse_datetime("--at", at))
    limits = Limits(memory_mb=max_memory, seconds=timeout)
    if (bsre and dask) or (shared_files and not dask):
        raise InputError("--bsre is not for --dask, and --shared-files only for --dask")
    if dask:  # verdicts printed as the cluster's workers return them
        return verify_on_dask(
            files, trust, trust_config, options.at, limits, dask, shared_files, as_json
        )
    stream = verify_iter(files, options, jobs or default_jobs(), not as_json, limits)
    # each report printed (or written) as it comes, BSrE's opinion asked for it then: flat
    opinion = _second_opinion(bsre, bsre_ca)
    if as_json:
        counts, unusable = write_json_stream(stream, options.at, opinion)
    else:
        counts, unusable = print_report_stream(stream, len(files), opinion)
    if unusable:
        sys.exit(ExitCode.BAD_INPUT)
    if counts[Verdict.INVALID.value] or counts[Verdict.INDETERMINATE.value]:
        sys.exit(ExitCode.FAILED)


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
@click.option("--archive", "to_archive", is_flag=True, help="Keep the results in the archive.")
@db_option
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
    to_archive: bool,
    db: str | None,
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
            print_evaluation(evaluation, written)
        results = evaluation.results
        if to_archive:
            _archive_evaluation(evaluation, db, files)
    if verified.unusable:
        sys.exit(ExitCode.BAD_INPUT)
    if any(r.status.failed for r in results):
        sys.exit(ExitCode.FAILED)


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="The demo workspace folder.",
)
@click.option(
    "--bsre",
    is_flag=True,
    help="Sign through a BSrE emulator on 127.0.0.1 (each kepala with their NIK), extend to "
    "B-LTA, verify offline and as of 2036-01-01.",
)
@user_errors
def demo(out: Path, bsre: bool) -> None:
    """Run the whole ceremony on the example with an offline demo PKI."""
    from signer import demo as demo_run

    lock.hold([out, *(out / sub for sub in demo_run.FOLDERS)], "kinerja demo")
    demo_run.run(
        out,
        report=lambda step: _out_line(f"[bold]{markup(step.name)}[/]: {markup(step.detail)}"),
        bsre=bsre,
    )


def _archive_evaluation(evaluation: Any, db: str | None, files: list[Path]) -> None:
    from signer.archive import open_registry, store_evaluation, workspace_of

    url = database_url(db, workspace_of(files[0] if files else Path.cwd()))
    with open_registry(url) as registry:
        kept, missing = store_evaluation(registry, evaluation)
        console_err.print(f"archive {shown(registry.url)}: {kept} evaluations kept", markup=False)
    if missing:
        raise InputError(f"not in the archive (`kinerja archive add` first): {', '.join(missing)}")


def _out_line(text: str) -> None:
    console.print(text, markup=True)


from cli_archive import archive  # noqa: E402
from cli_serve import serve  # noqa: E402

main.add_command(archive)
main.add_command(serve)

if __name__ == "__main__":  # pragma: no cover
    main()
