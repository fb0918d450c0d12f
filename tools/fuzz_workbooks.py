"""Fuzz `kinerja check` with mutated ceremony workbooks: no traceback, no hang, no memory blow-up.

Usage (from the repository root, with the project's venv)::

    .venv/bin/python tools/fuzz_workbooks.py -n 10000 -j 2 --out /tmp/fuzz-workbooks
    .venv/bin/python tools/fuzz_workbooks.py --replay 4711 --out /tmp/fuzz-workbooks

The seeds are real workbooks: the example `kinerja init` writes (44 units), the same with its
text in xl/sharedStrings.xml as Excel saves it, and the second ceremony of the tests
(tests/ceremony_lain.py: 60 units, formulas, percent cells, text dates).
Case ``i`` of a run with seed ``s`` is fully determined by ``(s, i)``, so any case can be
replayed. Two kinds of mutation (half each):

- XML-level, on the unpacked parts (sheets, workbook.xml, styles, shared strings, content
  types, relationships), one to three of: delete, duplicate or swap elements; change the
  attributes ``t=`` (s, n, b, e, str, inlineStr, d, garbage), ``r=`` (huge, invalid, out of
  order), ``s=`` (unknown styles) and the ``<dimension>``; values (huge and non-finite numbers,
  long digit strings, dates out of range); hostile text (a URL, =HYPERLINK, escape sequences,
  rich markup, soft hyphens, 5,000 characters); invalid UTF-8; DOCTYPEs with internal,
  external and nested entities; truncation; deep nesting; stray bytes; sheet names. The parts
  are then zipped again, so the damage is in the XML, not in the zip.
- byte-level, on the .xlsx file: flipped bytes, truncation, splices within the file and from
  the other seed, junk around it, dropped, renamed or duplicated zip parts.

Each case runs `kinerja check FILE` (the click command itself, ``cli.main``) in a child forked
from this process (the imports are done once, so a case costs milliseconds, not the second a
new interpreter would), with its address space limited to ``--memory`` (1 GB) by RLIMIT_AS and
a ``--timeout`` (20 s, by SIGALRM and RLIMIT_CPU). Outcomes:

- ``ok`` (exit 0) and ``refused`` (exit 2 with a message, no traceback): both fine;
- ``traceback``: any other exit status, or "Traceback" on stderr;
- ``hang``: killed by the timeout;
- ``memory``: a MemoryError, or a peak resident size over the limit.

``--minutes M`` (or Ctrl-C, or SIGTERM) stops starting cases and summarises those run. A failed
case is saved in ``OUT/failures/`` as the workbook and a text file with its outcome,
stderr and the command that reproduces it. The summary gives the counts per outcome and per
mutation, the wall time and the largest peak memory. The exit status is 1 if any case failed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FINE = ("ok", "refused")

_ELEMENT = re.compile(
    rb"<(c|row|v|f|is|t|si|r|mergeCell|dimension|sheet|xf|numFmt|col|cols|Override|Relationship"
    rb"|definedName|dataValidation|sheetView|pane|selection|sheetFormatPr|pageMargins)\b"
    rb"(?:[^>]{0,2000}?/>|[^>]{0,2000}>.{0,4000}?</\1>)",  # bounded: never quadratic
    re.DOTALL,
)
_ATTR = re.compile(rb'\b(t|r|s|ref|numFmtId|count|sheetId|r:id|Target|name|PartName)="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_TEXT = re.compile(rb"<t(?: [^>]*)?>([^<]*)</t>")

_T = [b"s", b"n", b"b", b"e", b"str", b"inlineStr", b"d", b"x", b""]
_R = [
    b"A0", b"A-1", b"a1", b"1A", b"", b"ZZZZ1", b"XFD1048576", b"A1048577", b"A99999999999",
    b"IV20000", b"B2", b"A1:B2", b"\xc3\xa9", b"A" * 300,
]  # fmt: skip
_S = [b"0", b"-1", b"1", b"7", b"99999", b"x", b"1.5", b"18446744073709551616"]
_DIM = [b"A1", b"A1:XFD1048576", b"A1:A1", b"Z9:A1", b"", b"A1:", b"XFD1048576", b"A0:B0"]
_NUMBERS = [
    b"1e308", b"1e309", b"-1e309", b"NaN", b"inf", b"-0", b"9" * 5000, b"1" * 30, b"", b"1,5",
    b"0x10", b"-1", b"2958466", b"2958465.99999", b"99999999", b"-693594", b"1e-320", b"\xd9\xa3",
    b"TRUE", b"#DIV/0!", b"2026-02-30", b"2026-02-03T10:00:00", b"0", b"0.95", b"12.5%",
]  # fmt: skip
_TEXTS = [
    b"https://contoh.go.id/kinerja/2026?a=1&amp;b=2",
    b"=HYPERLINK(&quot;https://x.example&quot;,&quot;Dinas Kesehatan&quot;)",
    b"+1", b"-1", b"@SUM(A1)", b"\x1b[2J\x1b[32mALL VALID\x1b[0m", b"[/bold] [red]x[/red]",
    b"Dinas\xc2\xadKesehatan", b"Dinas\xe2\x80\x8bKesehatan", b"A" * 5000, b"Kesehatan/Sosial",
    b"\n\nVALID\n", b"", b" ", b"\xef\xbf\xbe", b"&#0;", b"&#x1F;", b"&#1114112;", b"&lt;",
    b"&amp;&amp;", b"]]>", b"DINKES", b"dinkes", b"DIN.KES", b"2026", b"Rp 1.000.000,00",
]  # fmt: skip
_DOCTYPES = [
    b'<!DOCTYPE x [<!ENTITY a "b">]>',
    b'<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
    b"<!DOCTYPE x [" + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10 if i else b"lol") for i in range(10)
    ) + b"]>",
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///dev/zero"> %p;]>',
]  # fmt: skip
_BAD_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\xc0\xaf"]


@dataclass(frozen=True)
class Case:
    seed: int
    index: int
    base: str  # which seed workbook
    mutation: str  # what was done, for the summary
    data: bytes


def _pick(rng: random.Random, pattern: re.Pattern[bytes], data: bytes) -> re.Match[bytes] | None:
    if data.count(b"<") > 60_000:
        return None  # a part already made of deep nesting: mutating it further is slow, not new
    found = list(pattern.finditer(data, 0, min(len(data), 2_000_000)))
    return rng.choice(found) if found else None


def _xml_mutation(rng: random.Random, data: bytes, other: bytes) -> tuple[str, bytes]:
    op = rng.randrange(17)
    if op <= 2:
        m = _pick(rng, _ELEMENT, data)
        if m is None:
            return "none", data
        if op == 0:
            return "delete-element", data[: m.start()] + data[m.end() :]
        if op == 1:
            return "duplicate-element", data[: m.end()] + m.group(0) + data[m.end() :]
        same = [x for x in _ELEMENT.finditer(data) if x.group(1) == m.group(1) and x != m]
        if not same:
            return "none", data
        n = rng.choice(same)
        a, b = sorted((m, n), key=lambda x: x.start())
        if a.end() > b.start():
            return "none", data
        swapped = data[: a.start()] + b.group(0) + data[a.end() : b.start()] + a.group(0)
        return "swap-elements", swapped + data[b.end() :]
    if op <= 6:
        m = _pick(rng, _ATTR, data)
        if m is None:
            return "none", data
        name = m.group(1)
        if op == 6 or name not in (b"t", b"r", b"s", b"ref"):
            new = rng.choice([*_R, *_S, *_NUMBERS[:6], b"\xff", m.group(2) * 2])
        else:
            new = rng.choice({b"t": _T, b"r": _R, b"s": _S, b"ref": _DIM}[name])
        return f"attr-{name.decode(errors='replace')}", (
            data[: m.start(2)] + new + data[m.end(2) :]
        )
    if op == 7:
        m = _pick(rng, _VALUE, data)
        if m is None:
            return "none", data
        return "value", data[: m.start(1)] + rng.choice(_NUMBERS) + data[m.end(1) :]
    if op == 8:
        m = _pick(rng, _TEXT, data)
        if m is None:
            return "none", data
        return "text", data[: m.start(1)] + rng.choice(_TEXTS) + data[m.end(1) :]
    if op == 9:
        at = rng.randrange(len(data) + 1)
        return "bad-utf8", data[:at] + rng.choice(_BAD_UTF8) + data[at:]
    if op == 10:
        body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
        decl = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        return "doctype", decl + rng.choice(_DOCTYPES) + body
    if op == 11:
        return "truncate-part", data[: rng.randrange(len(data) + 1)]
    if op == 12:
        at = data.find(b"<sheetData>")
        at = at + len(b"<sheetData>") if at >= 0 else rng.randrange(len(data) + 1)
        depth = rng.choice((10, 100, 1000, 50_000))
        tag = rng.choice((b"<row>", b"<x>", b"<c><is>"))
        closed = rng.random() < 0.5
        nest = tag * depth + (b"</x>" * depth if closed and tag == b"<x>" else b"")
        return "deep-nesting", data[:at] + nest + data[at:]
    if op == 13:
        at = rng.randrange(len(data) + 1)
        stray = rng.choice((b"<", b">", b"&", b'"', b"</", b"<!--", b"<![CDATA[", b"\x01"))
        return "stray-bytes", data[:at] + stray + data[at:]
    if op == 14:
        m = _pick(rng, _ELEMENT, other)
        if m is None:
            return "none", data
        at = rng.randrange(len(data) + 1)
        return "foreign-element", data[:at] + m.group(0) + data[at:]
    if op == 15:  # a cell far away, or a row of many cells
        ref = rng.choice((b"XFD1048576", b"A20001", b"IW1", b"A1048576", b"B3"))
        row = re.sub(rb"[A-Z]+", b"", ref)
        cells = b'<c r="%s"><v>1</v></c>' % ref
        if rng.random() < 0.3:
            cells = b"".join(b"<c><v>%d</v></c>" % i for i in range(rng.choice((300, 20_000))))
        new = b'<row r="%s">%s</row></sheetData>' % (row, cells)
        return "far-cell", data.replace(b"</sheetData>", new, 1)
    # op 16: a sheet name or a defined name changed
    m = re.search(rb'name="([^"]*)"', data)
    if m is None:
        return "none", data
    name = rng.choice((b"", b"Unit", b"[/x]", b"A" * 40, b"Indikator", b"\xff", b"unit "))
    return "names", data[: m.start(1)] + name + data[m.end(1) :]


def _byte_mutation(rng: random.Random, data: bytes, other: bytes) -> tuple[str, bytes]:
    out = bytearray(data)
    op = rng.randrange(6)
    if op == 0:
        for _ in range(rng.randint(1, 16)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return "flip-bytes", bytes(out)
    if op == 1:
        return "truncate-file", bytes(out[: rng.randrange(len(out))])
    if op == 2:
        source = other if rng.random() < 0.5 else data
        start = rng.randrange(len(source))
        chunk = source[start : start + rng.randint(1, 8192)]
        at = rng.randrange(len(out))
        if rng.random() < 0.5:
            out[at : at + len(chunk)] = chunk
        else:
            out[at:at] = chunk
        return "splice", bytes(out)
    if op == 3:
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096)))
        return "junk", (junk + data) if rng.random() < 0.5 else (data + junk)
    # op 4, 5: the zip's parts dropped, renamed or duplicated
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [(i.filename, z.read(i)) for i in z.infolist()]
    i = rng.randrange(len(parts))
    choice = rng.randrange(3)
    if choice == 0:
        del parts[i]
        what = "drop-part"
    elif choice == 1:
        j = rng.randrange(len(parts))
        parts[i], parts[j] = (parts[i][0], parts[j][1]), (parts[j][0], parts[i][1])
        what = "swap-parts"
    else:
        parts.append(parts[i] if rng.random() < 0.5 else (parts[i][0].upper(), parts[i][1]))
        what = "duplicate-part"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, part in parts:
            z.writestr(zipfile.ZipInfo(name), part, zipfile.ZIP_DEFLATED)
    return what, buf.getvalue()


def make_case(bases: dict[str, bytes], seed: int, index: int) -> Case:
    with warnings.catch_warnings():  # zipfile warns of the duplicate parts made on purpose
        warnings.simplefilter("ignore")
        return _make_case(bases, seed, index)


def _make_case(bases: dict[str, bytes], seed: int, index: int) -> Case:
    rng = random.Random(seed * 1_000_003 + index)
    names = sorted(bases)
    base = rng.choice(names)
    data = bases[base]
    other = bases[rng.choice(names)]
    if rng.random() < 0.5:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        xml = [n for n in parts if n.endswith((".xml", ".rels"))]
        sheets = [n for n in xml if n.startswith("xl/worksheets/")]
        done = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            for _attempt in range(10):  # another part when this one has nothing to mutate
                name = rng.choice(sheets) if sheets and rng.random() < 0.7 else rng.choice(xml)
                what, mutated = _xml_mutation(rng, parts[name], other)
                if what != "none":
                    parts[name] = mutated
                    done.append(what)
                    break
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, part in parts.items():
                z.writestr(name, part)
        return Case(seed, index, base, "+".join(done) or "none", buf.getvalue())
    what, mutated = _byte_mutation(rng, data, other)
    return Case(seed, index, base, what, mutated)


def seed_workbooks(folder: Path) -> dict[str, bytes]:
    """The example workbook, the same with its text in a shared-strings table (as Excel saves
    it; openpyxl writes inline strings), and the second ceremony's, written into ``folder``."""
    from signer.example.workspace import write_workspace
    from tests.ceremony_lain import write_workbook
    from tests.hostile_workbooks import as_shared_strings

    write_workspace(folder / "contoh")
    contoh = folder / "contoh" / "kinerja.xlsx"
    lain = write_workbook(folder / "lain.xlsx")
    excel_like = as_shared_strings(contoh, folder / "contoh-sst.xlsx")
    return {
        "contoh": contoh.read_bytes(),
        "contoh-sst": excel_like.read_bytes(),
        "lain": lain.read_bytes(),
    }


@dataclass(frozen=True)
class Result:
    case: Case
    outcome: str
    status: str
    maxrss_mb: float
    seconds: float
    stderr: str


def _child(path: Path, out: Path, memory: int, timeout: int) -> None:
    """In the forked child: limits, then `kinerja check path`; never returns."""
    import cli

    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (timeout + 5, timeout + 10))
    signal.alarm(timeout)
    code = 1
    try:
        cli.main(["check", str(path)], standalone_mode=True)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # what a real process would print: the traceback this run hunts
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _classify(status: int, text: str, maxrss_mb: float, memory_mb: float) -> str:
    if "MemoryError" in text or maxrss_mb > memory_mb:
        return "memory"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in (signal.SIGALRM, signal.SIGXCPU, signal.SIGKILL):
            return "hang"
        return f"signal-{signal.Signals(sig).name}"
    if "Traceback" in text:
        return "traceback"
    code = os.WEXITSTATUS(status)
    return {0: "ok", 2: "refused"}.get(code, "traceback")


def run(
    bases: dict[str, bytes],
    *,
    seed: int,
    cases: int | range,
    jobs: int,
    timeout: int = 20,
    memory_mb: int = 1024,
    out: Path,
    progress: bool = False,
    until: float | None = None,
) -> list[Result]:
    """Run the cases, ``jobs`` children at a time; failures are saved in ``out/failures``.
    No case is started after ``until`` (a time.monotonic() value), nor after Ctrl-C or
    SIGTERM: the cases run so far are the result."""
    # the check's own imports, once, before any fork
    import cli  # noqa: F401
    from signer.canonical import to_dict  # noqa: F401
    from signer.names import name_warnings  # noqa: F401
    from signer.workbooks.ceremony_read import read_workbook  # noqa: F401

    gc.collect()
    gc.freeze()  # a child's collector then leaves the inherited objects (and their pages) alone
    work = Path(tempfile.mkdtemp(prefix="fuzz-", dir=out))
    failures = out / "failures"
    indices = cases if isinstance(cases, range) else range(cases)
    pending = iter(indices)
    running: dict[int, tuple[Case, Path, Path, float]] = {}
    results: list[Result] = []
    memory = memory_mb * 1024 * 1024
    done = 0
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    while True:
        if until is not None and time.monotonic() > until:
            stopping = True
        while len(running) < jobs and not stopping:
            index = next(pending, None)
            if index is None:
                break
            case = make_case(bases, seed, index)
            path = work / f"case-{index}.xlsx"
            path.write_bytes(case.data)
            log = work / f"case-{index}.txt"
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                _child(path, log, memory, timeout)
            running[pid] = (case, path, log, time.monotonic())
        if not running:
            break
        try:
            pid, status, usage = os.wait4(-1, 0)
        except InterruptedError:
            continue
        if pid not in running:
            continue
        case, path, log, started = running.pop(pid)
        text = log.read_text(errors="replace")
        maxrss_mb = usage.ru_maxrss / 1024
        outcome = _classify(status, text, maxrss_mb, memory_mb)
        result = Result(case, outcome, str(status), maxrss_mb, time.monotonic() - started, text)
        results.append(result)
        if outcome not in FINE:
            _save(failures, result, path)
        path.unlink()
        log.unlink()
        done += 1
        if progress and done % 500 == 0:
            bad = sum(r.outcome not in FINE for r in results)
            print(f"  {done} cases, {bad} failed", file=sys.stderr, flush=True)
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    shutil.rmtree(work, ignore_errors=True)
    return results


def _save(folder: Path, r: Result, path: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{r.case.seed}-{r.case.index}-{r.outcome}"
    shutil.copy(path, folder / f"{stem}.xlsx")
    (folder / f"{stem}.txt").write_text(
        f"outcome: {r.outcome} (wait status {r.status}, {r.maxrss_mb:.0f} MB, {r.seconds:.1f} s)\n"
        f"base: {r.case.base}; mutation: {r.case.mutation}\n"
        f"reproduce: kinerja check {folder / (stem + '.xlsx')}\n"
        f"       or: python tools/fuzz_workbooks.py --seed {r.case.seed} --replay {r.case.index}\n"
        f"--- output ---\n{r.stderr[-6000:]}"
    )


def summary(results: list[Result], seconds: float) -> str:
    outcomes = Counter(r.outcome for r in results)
    lines = [
        f"{len(results)} cases in {seconds:.0f} s ({len(results) / max(seconds, 1e-9):.1f}/s); "
        f"peak memory of a case {max((r.maxrss_mb for r in results), default=0):.0f} MB; "
        f"slowest case {max((r.seconds for r in results), default=0):.1f} s",
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
    ]
    by_mutation: dict[str, Counter[str]] = {}
    for r in results:
        for m in set(r.case.mutation.split("+")):
            by_mutation.setdefault(m, Counter())[r.outcome] += 1
    for m, counts in sorted(by_mutation.items()):
        lines.append(f"  {m:20} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--memory", type=int, default=1024, help="MB of address space per case")
    parser.add_argument("--out", type=Path, default=Path("fuzz-workbooks"))
    parser.add_argument("--replay", type=int, help="run only case REPLAY, and show its output")
    parser.add_argument(
        "--minutes", type=float, help="start no case after this many minutes (then summarise)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    bases = seed_workbooks(Path(tempfile.mkdtemp(prefix="seeds-", dir=args.out)))
    cases: int | range = args.cases
    if args.replay is not None:
        cases = range(args.replay, args.replay + 1)
    start = time.monotonic()
    results = run(
        bases,
        seed=args.seed,
        cases=cases,
        jobs=args.jobs,
        timeout=args.timeout,
        memory_mb=args.memory,
        out=args.out,
        progress=True,
        until=start + 60 * args.minutes if args.minutes else None,
    )
    if args.replay is not None:
        r = results[0]
        print(f"{r.outcome}: {r.case.base}, {r.case.mutation}\n{r.stderr}")
    print(summary(results, time.monotonic() - start))
    failed = [r for r in results if r.outcome not in FINE]
    if failed:
        print(f"{len(failed)} failed; saved in {args.out / 'failures'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
