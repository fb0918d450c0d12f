"""What the `kinerja` commands print: one line per file that needs attention, tables of
verdicts and capaian, and the exit code a batch's outcomes mean. Data (names, paths, messages
that quote them) is printed through :mod:`signer.display`, never as markup."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console

from signer.display import cell, json_text, lines, markup, shown
from signer.errors import ExitCode, InputError

if TYPE_CHECKING:
    from signer.batch import Outcome
    from signer.evaluate.results import Evaluation
    from signer.verify import Report
    from signer.verify.check import Check
    from signer.verify.second_opinion import SecondOpinion

console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
console_err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def report_outcomes(
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


def print_checks(checks: Sequence[Check], as_json: bool) -> None:
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


def _each_report(
    results: Iterable[Report | InputError], handle: Callable[[Report], None]
) -> tuple[Counter[str], list[InputError]]:
    """``handle`` each report as it comes; the verdicts counted, the unusable inputs kept."""
    counts: Counter[str] = Counter()
    unusable: list[InputError] = []
    for r in results:
        if isinstance(r, InputError):
            unusable.append(r)
            continue
        counts[r.verdict.value] += 1
        handle(r)
    return counts, unusable


def print_report_stream(
    results: Iterable[Report | InputError],
    total: int,
    opinion: Callable[[Report], SecondOpinion] | None = None,
) -> tuple[Counter[str], list[InputError]]:
    """Each report as it comes (``verify_iter``), printed and let go, so that an archive of
    any size prints in flat memory; ``opinion`` (BSrE's) asked for each as it is printed. The
    verdicts counted (by name), and the unusable inputs (a line each), for the exit code."""
    counts, unusable = _each_report(
        results, lambda r: print_report(r, total > 3, opinion(r) if opinion else None)
    )
    for e in unusable:
        print_unusable(e)
    if total > 3:
        print_verdict_table(counts, len(unusable))
    return counts, unusable


class JsonArray:
    """A JSON array written element by element: one document at the end, built as it goes."""

    def __init__(self, out: IO[str], opening: str = "[", closing: str = "]") -> None:
        self.out, self.closing, self.first = out, closing, True
        out.write(opening)

    def add(self, value: object) -> None:
        # indented as a whole: no line break can stand inside a JSON string
        text = json_text(json.dumps(value, ensure_ascii=False, indent=1)).replace("\n", "\n ")
        self.out.write(("\n " if self.first else ",\n ") + text)
        self.out.flush()
        self.first = False

    def close(self) -> None:
        self.out.write(("" if self.first else "\n") + self.closing)


def write_json_stream(
    results: Iterable[Report | InputError],
    at: dt.datetime | None,
    opinion: Callable[[Report], SecondOpinion] | None = None,
) -> tuple[Counter[str], list[InputError]]:
    """The ``kinerja.verify/1`` document of `kinerja verify --json` (:func:`envelope`'s
    fields), each report written as it comes: flat memory over an archive; with ``opinion``,
    each document's ``bsre`` entry too. The verdicts counted and the unusable inputs, for the
    exit code."""
    from signer.verify.report import REPORT_SCHEMA

    when = json.dumps(at.isoformat() if at else None)
    sys.stdout.write(f'{{\n "schema": "{REPORT_SCHEMA}",\n "at": {when},\n "documents": ')
    documents = JsonArray(sys.stdout)

    def add(r: Report) -> None:
        entry = r.as_dict()
        if opinion is not None:
            entry["bsre"] = opinion(r).as_dict()
        documents.add(entry)

    counts, unusable = _each_report(results, add)
    documents.close()
    text = json_text(json.dumps([str(e) for e in unusable], ensure_ascii=False))
    sys.stdout.write(f',\n "unusable": {text}\n}}\n')
    return counts, unusable


def print_report(r: Report, quiet_if_valid: bool, opinion: SecondOpinion | None = None) -> None:
    """One document's verdict, its signatures and every failed check (a VALID one in a long run
    only in the table at the end, unless a second opinion was asked for it)."""
    from signer.verify import Verdict

    colour = {Verdict.VALID: "green", Verdict.INVALID: "red", Verdict.INDETERMINATE: "yellow"}
    if quiet_if_valid and r.verdict is Verdict.VALID and opinion is None:
        return
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
        # a remote service's signature sits in a field of its own: say which
        where = f" (field {s.field})" if s.role and s.field != s.role else ""
        console.print(
            shown(
                f"  {s.role or s.field}{where}: {s.signer}, issued by {s.issuer}, {when}, "
                f"{s.level or '?'}"
            )
        )
    for c in r.failures:
        console.print(f"  [{colour[c.verdict]}]✗[/] {markup(c)}", markup=True)
    if opinion is not None:
        console.print(shown(f"  {opinion.line()}"))


def print_unusable(e: InputError) -> None:
    console_err.print(f"error: {' / '.join(lines(e))}")


def print_verdict_table(verdicts: Counter[str], unusable: int) -> None:
    """How many documents got each verdict (by its name), and how many were unusable."""
    from rich.table import Table

    from signer.verify import Verdict

    table = Table(title="verification")
    table.add_column("verdict")
    table.add_column("documents", justify="right")
    for v in Verdict:
        table.add_row(v.value, str(verdicts[v.value]))
    if unusable:
        table.add_row("unusable", str(unusable))
    console.print(table)


def print_evaluation(evaluation: Evaluation, written: list[Path]) -> None:
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
