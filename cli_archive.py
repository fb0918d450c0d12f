"""`kinerja archive`: the registry of signed agreements (add, list, show, reverify)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from cli_cluster import dask_option, reverify_on_dask
from cli_common import (
    database_url,
    db_option,
    jobs_option,
    json_option,
    parse_datetime,
    trust_for,
    trust_options,
    trusted_paths,
    user_errors,
)
from signer.display import cell, json_text, shown
from signer.errors import ExitCode, InputError
from signer.terminal import JsonArray, console, console_err

if TYPE_CHECKING:
    from collections.abc import Iterator

    from signer.archive import ArchivedAgreement, Registry, Reverified


@click.group()
def archive() -> None:
    """The archive of signed agreements, which `kinerja serve` publishes."""


def _open(db: str | None, workspace: Path) -> Registry:
    from signer.archive import open_registry

    return open_registry(database_url(db, workspace))


@archive.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@trust_options
@click.option(
    "--keep-failed",
    is_flag=True,
    help="Archive documents that are not VALID too, with their verdict (evidence).",
)
@jobs_option
@json_option
@user_errors
def archive_add(
    files: tuple[Path, ...],
    db: str | None,
    trust: tuple[Path, ...],
    offline: bool,
    keep_failed: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Verify signed agreements and archive the VALID ones (the same file twice changes nothing).

    Exit 1 when a document is not archived because it does not verify, 2 for unusable input.
    """
    from signer.archive import add_stream, workspace_of
    from signer.batch import default_jobs, expand_inputs, in_order
    from signer.verify import VerifyOptions

    inputs = [f.path for f in expand_inputs(files)]
    workspace = workspace_of(files[0])
    options = VerifyOptions(trust_for(trust, offline, workspace))
    with _open(db, workspace) as registry:
        # each file is archived as it is verified; only what became of it is kept, not its
        # report (an archive's worth of reports would not fit in memory)
        added = in_order(
            (index, dataclasses.replace(a, report=None))
            for index, a in add_stream(
                registry,
                inputs,
                options,
                jobs=jobs or default_jobs(),
                progress=not as_json,
                keep_failed=keep_failed,
                skip_archived=True,
            )
        )
        where = registry.url
    if as_json:
        print(
            json_text(
                json.dumps(
                    {"archive": where, "files": [a.as_dict() for a in added]},
                    ensure_ascii=False,
                    indent=1,
                )
            )
        )
    else:
        for a in added:
            if a.stored is None or a.verdict != "VALID":
                console_err.print(f"{shown(a.file)}: {shown(a.detail)}", markup=False)
        stored = sum(1 for a in added if a.stored is not None)
        console.print(f"{stored} of {len(added)} archived in {shown(where)}", markup=False)
    if any(a.bad_input for a in added):
        sys.exit(ExitCode.BAD_INPUT)
    if any(a.stored is None for a in added):
        sys.exit(ExitCode.FAILED)


@archive.command("list")
@db_option
@click.option("--tahun", type=int, help="Only this year.")
@click.option("--unit", metavar="KODE", help="Only this unit.")
@json_option
@user_errors
def archive_list(db: str | None, tahun: int | None, unit: str | None, as_json: bool) -> None:
    """List the archived agreements."""
    from signer.archive import workspace_of

    with _open(db, workspace_of(Path.cwd())) as registry:
        rows = registry.agreements(tahun, unit)
        where = registry.url
    if as_json:
        print(json_text(json.dumps([_summary(r) for r in rows], ensure_ascii=False, indent=1)))
        return
    table = Table(title=f"archive {shown(where)}: {len(rows)} agreements")
    for column in ("kode verifikasi", "id", "unit", "verdict", "diverifikasi"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            cell(r.code[:16] + "…"),
            cell(r.id),
            cell(r.unit_nama),
            cell(r.verdict),
            cell(f"{r.verified_at:%Y-%m-%d %H:%M} UTC"),
        )
    console.print(table)


def _summary(r: ArchivedAgreement) -> dict[str, object]:
    return {
        "kode": r.code,
        "id": r.id,
        "jenis": r.jenis,
        "tahun": r.tahun,
        "unit": {"kode": r.unit_kode, "nama": r.unit_nama},
        "verdict": r.verdict,
        "diverifikasi": r.verified_at.isoformat(),
        "ditambahkan": r.added_at.isoformat(),
        "berkas": {"nama": r.file_name, "sha256": r.file_sha256, "ukuran": r.file_size},
        "menggantikan": r.menggantikan,
    }


@archive.command("show")
@click.argument("code")
@db_option
@json_option
@user_errors
def archive_show(code: str, db: str | None, as_json: bool) -> None:
    """One archived agreement: verdict, signatures, history, evaluations, revisions."""
    from signer.archive import workspace_of

    with _open(db, workspace_of(Path.cwd())) as registry:
        row = registry.find(code)
        if row is None:
            raise InputError(f"{shown(code)}: not in the archive {registry.url}")
        history, evaluations = registry.history(row.code), registry.evaluations(row.code)
        replaced = registry.replaced_by(row.code)
    shown_data = _summary(row) | {
        "diganti_oleh": replaced.code if replaced else None,
        "laporan": row.report,
        "riwayat": [
            {"waktu": h.when.isoformat(), "verdict": h.verdict, "alasan": h.reason} for h in history
        ],
        "evaluasi": [
            {
                "periode": e.periode,
                "dievaluasi": e.evaluated_at.isoformat(),
                "capaian": str(e.capaian) if e.capaian is not None else None,
                "kategori": e.kategori,
            }
            for e in evaluations
        ],
    }
    if as_json:
        print(json_text(json.dumps(shown_data, ensure_ascii=False, indent=1)))
        return
    a = row.agreement
    console.print(
        f"{shown(a.id)}: {shown(a.jenis.judul)} {a.tahun}, {shown(a.unit.nama)}", markup=False
    )
    console.print(f"kode verifikasi {row.code}", markup=False)
    console.print(
        f"verdict {row.verdict} (verified {row.verified_at:%Y-%m-%d %H:%M} UTC)", markup=False
    )
    for s in row.report.get("signatures", []):
        console.print(
            f"  {shown(s.get('role'))}: {shown(s.get('signer'))}, {shown(s.get('signing_time'))}"
            f" ({shown(s.get('time_source'))}), {shown(s.get('level'))}",
            markup=False,
        )
    for h in history:
        console.print(
            f"  {h.when:%Y-%m-%d %H:%M} {h.verdict} {shown(h.reason or '')}", markup=False
        )
    for e in evaluations:
        console.print(
            f"  evaluasi {e.periode}: capaian {e.capaian} {shown(e.kategori)}", markup=False
        )
    if replaced:
        console.print(f"replaced by {shown(replaced.id)} ({replaced.code})", markup=False)


@archive.command("reverify")
@db_option
@trust_options
@jobs_option
@dask_option
@click.option(
    "--not-verified-since",
    "since",
    metavar="DATETIME",
    help="Only the agreements whose last verification is older: carries on a run that was "
    "interrupted (it prints the time to give).",
)
@json_option
@user_errors
def archive_reverify(
    db: str | None,
    trust: tuple[Path, ...],
    offline: bool,
    jobs: int | None,
    dask: str | None,
    since: str | None,
    as_json: bool,
) -> None:
    """Verify every archived agreement again and record the verdicts (after a revocation,
    before an extend). Exit 1 when any is not VALID. With --dask, on a Dask cluster."""
    from signer.archive import plan_reverify, reverify, workspace_of
    from signer.batch import default_jobs
    from signer.trust import load_trust_config
    from signer.verify import VerifyOptions

    workspace = workspace_of(Path.cwd())
    with _open(db, workspace) as registry:
        run = plan_reverify(registry, parse_datetime("--not-verified-since", since))
        carry_on = f"--not-verified-since {run.started.isoformat()}"
        if since is None:
            console_err.print(
                f"re-verifying {run.total} archived agreements; if this is interrupted, "
                f"{carry_on} carries on",
                markup=False,
            )
        else:
            console_err.print(
                f"carrying on: {sum(run.done.values())} of {run.total} archived agreements "
                f"verified since {run.started.isoformat()}, {len(run.todo)} to go",
                markup=False,
            )
        if dask:
            paths = trusted_paths(trust, workspace)
            config = load_trust_config(paths, online=not offline)
            done = reverify_on_dask(registry, paths, config, dask, run.todo)
        else:
            options = VerifyOptions(trust_for(trust, offline, workspace))
            jobs = jobs or default_jobs()
            done = reverify(registry, options, jobs=jobs, progress=not as_json, codes=run.todo)
        try:
            valid, total = _print_reverified(done, as_json)
        except KeyboardInterrupt:
            console_err.print(f"interrupted; {carry_on} carries on", markup=False)
            sys.exit(ExitCode.INTERRUPTED)
    valid += run.done.get("VALID", 0)
    total += sum(run.done.values())
    if not as_json:
        console.print(f"{valid} of {total} VALID", markup=False)
    if valid != total:
        sys.exit(ExitCode.FAILED)


def _print_reverified(done: Iterator[Reverified], as_json: bool) -> tuple[int, int]:
    """Each re-verification as it is recorded (JSON, or the changes and failures); how many
    were VALID of how many."""
    valid = total = 0
    rows = JsonArray(sys.stdout) if as_json else None
    try:
        for r in done:
            total += 1
            valid += r.after == "VALID"
            if rows is not None:
                rows.add(vars(r))
            elif r.after != "VALID" or r.before != r.after:
                console_err.print(
                    f"{shown(r.id)}: {r.before} -> {r.after}: {shown(r.detail)}", markup=False
                )
    finally:  # interrupted too: what was recorded is one JSON document
        if rows is not None:
            rows.close()
            sys.stdout.write("\n")
    return valid, total
