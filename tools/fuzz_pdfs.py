"""Fuzz the verifier with mutated signed agreements; count what it makes of them.

The campaign: a Perjanjian Kinerja and a Pakta Integritas of the example (DINKES), generated
and signed at PAdES B-LTA by both parties with a demo key store (by the `kinerja` command, in a
scratch folder), are mutated N times (default 10,000) and each mutant is verified by the same
code as `kinerja verify` (``signer.verify.run.verify_bytes``). Every case runs in a child
process of its own, forked from a warm worker, under ``RLIMIT_AS`` (default 1 GB) and a wall
timeout; its peak memory is measured (``wait4``'s ``ru_maxrss``). The report counts:

- ``invalid``: INVALID or INDETERMINATE, ``unusable``: a clean "bad input" error (both fine);
- ``same``: the mutation happened to give the original bytes back (VALID, as it should);
- ``valid-harmless``: VALID, differing only in bytes no reader interprets (whitespace, or the
  zero padding of a signature's /Contents); listed, and looked at;
- ``valid-changed``: VALID although changed elsewhere (must be 0);
- ``traceback``: an exception other than the verifier's own errors (must be 0);
- ``hang``: past the timeout (0); ``memory``: past the memory cap or killed (0); ``crash``: the
  child died some other way (0).

Each bad case is written to ``OUT/cases/<kind>-<seed>.pdf`` to replay with `kinerja verify`.
Exit status 1 if any must-be-0 count is not 0.

    .venv/bin/python tools/fuzz_pdfs.py                     # 10,000 cases, one worker per core
    .venv/bin/python tools/fuzz_pdfs.py -n 1000 --seed 7    # a sample (CI runs one)
    .venv/bin/python tools/fuzz_pdfs.py --work /tmp/fuzz --keep   # reuse the signed files
    .venv/bin/python tools/fuzz_pdfs.py --minutes 30   # what fits in 30 minutes, reported

The mutations (:data:`KINDS`): byte flips, truncation, chunks moved or doubled, structural
bytes in the tail, junk appended, random bytes after a header, revisions spliced (a revision
dropped, repeated or cut), numbers replaced in place (lengths, offsets, counts), and incremental
updates that redefine an object of the file (a page, its content stream, the embedded agreement,
the catalog, a signature) as something hostile: deep nesting, a forged /Length of 2^40, a
FlateDecode stream that inflates to gigabytes, reference and /Prev loops, an object stream that
contains itself, very long names and strings, a hundred thousand objects.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import logging
import multiprocessing
import os
import pickle
import random
import re
import resource
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINERJA = Path(sys.executable).parent / "kinerja"
UNIT = "DINKES"
FILES = ("pk-2026-dinkes.pdf", "pi-2026-dinkes.pdf")
MUST_BE_ZERO = ("valid-changed", "traceback", "hang", "memory", "crash")


# ---------------------------------------------------------------- the signed originals


def prepare(work: Path, keep: bool) -> tuple[list[bytes], Path]:
    """The signed originals (generated and signed by the `kinerja` command) and the key store."""
    out, keys = work / "signed", work / "ws" / "keys"
    if keep and all((out / f).is_file() for f in FILES):
        return [(out / f).read_bytes() for f in FILES], keys
    env = {**os.environ, "KINERJA_PASSPHRASE": "demo"}
    steps = [
        ["init", str(work / "ws"), "--force"],
        ["generate", str(work / "ws" / "kinerja.xlsx"), "-o", str(out), "--only", UNIT],
        ["sign", str(out), "--role", "pihak-pertama", "--keys", str(keys)],
        ["sign", str(out), "--role", "pihak-kedua", "--keys", str(keys)],
        ["verify", str(out), "--trust", str(keys)],
    ]
    for step in steps:
        done = subprocess.run([str(KINERJA), *step], env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"kinerja {' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    return [(out / f).read_bytes() for f in FILES], keys


# ---------------------------------------------------------------- mutations

_BOMB: bytes = b""


def flate_bomb(size: int = 2 << 30) -> bytes:
    """A FlateDecode stream's data that inflates to ``size`` zero bytes (about size/1000)."""
    global _BOMB
    if not _BOMB:
        z = zlib.compressobj(9)
        chunk = bytes(1 << 20)
        _BOMB = b"".join(z.compress(chunk) for _ in range(size >> 20)) + z.flush()
    return _BOMB


def _last_trailer(data: bytes) -> tuple[int, bytes, int]:
    """The last startxref offset, the catalog reference (b"12 0 R") and /Size of the file."""
    starts = re.findall(rb"startxref\s+(\d+)", data)
    roots = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)
    sizes = re.findall(rb"/Size\s+(\d+)", data)
    return (
        int(starts[-1]) if starts else 0,
        roots[-1] if roots else b"1 0 R",
        int(sizes[-1]) if sizes else 1,
    )


def _objects(data: bytes) -> dict[bytes, list[int]]:
    """Object numbers of the file by what they are (a crude, byte-level look: good enough)."""
    kinds: dict[bytes, list[int]] = {}
    # (?<!\d): not from inside a run of digits, which a signature's zero padding is (15,000
    # digits: trying each start in it was quadratic, 1.3 s per file; the matches are the same)
    for m in re.finditer(rb"(?<!\d)(\d+) 0 obj\s*<<(.{0,300})", data, re.S):
        head = m.group(2)
        for what in (b"/Page", b"/EmbeddedFile", b"/Catalog", b"/Sig", b"/XObject", b"/Annot"):
            if what + b"/" in head or what + b" " in head or what + b">" in head:
                kinds.setdefault(what, []).append(int(m.group(1)))
        if b"/Length" in head and b"/Type" not in head:
            kinds.setdefault(b"stream", []).append(int(m.group(1)))
    return kinds


def append_update(
    data: bytes,
    objects: dict[int, bytes],
    prev: int | None = None,
    extra_trailer: bytes = b"",
) -> bytes:
    """``data`` with an incremental update (classic xref) that (re)defines ``objects``."""
    start, root, size = _last_trailer(data)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets: dict[int, int] = {}
    for num, body in sorted(objects.items()):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n"
    for num, at in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (num, at)
    size = max(size, max(objects) + 1)
    out += b"trailer\n<</Size %d /Root %s /Prev %d %s>>\n" % (
        size,
        root,
        start if prev is None else prev,
        extra_trailer,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _stream(dictionary: bytes, payload: bytes, length: int | None = None) -> bytes:
    n = len(payload) if length is None else length
    return b"<<" + dictionary + b" /Length %d>>\nstream\n" % n + payload + b"\nendstream"


def _target(rng: random.Random, data: bytes) -> int:
    """An object of the file worth redefining: a page, a stream, the agreement, the catalog..."""
    kinds = _objects(data)
    choices = [n for nums in kinds.values() for n in nums] or [1]
    preferred = kinds.get(rng.choice([b"/Page", b"/EmbeddedFile", b"/Catalog", b"/Sig"]))
    return rng.choice(preferred or choices)


def hostile_object(rng: random.Random, data: bytes) -> bytes:
    """An incremental update that redefines one object of the file as something hostile."""
    num = _target(rng, data)
    _, _, size = _last_trailer(data)
    depth = rng.choice([1_000, 100_000, 1_000_000])
    which = rng.randrange(11)
    if which == 0:  # deeply nested arrays
        body = b"[" * depth + b"]" * depth
    elif which == 1:  # deeply nested dictionaries
        body = b"<</A " * depth + b">>" * depth
    elif which == 2:  # a stream claiming 2^40 bytes
        body = _stream(b"/Type /EmbeddedFile /Subtype /application#2Fjson", b"{}", 1 << 40)
    elif which == 3:  # a FlateDecode bomb as a content stream or as the embedded agreement
        bomb = flate_bomb()
        kind = rng.choice([b"", b"/Type /EmbeddedFile /Subtype /application#2Fjson /Params<<>>"])
        body = _stream(kind + b" /Filter /FlateDecode", bomb)
    elif which == 4:  # a reference loop (the object is itself)
        body = b"%d 0 R" % num
    elif which == 5:  # an object stream containing itself
        inner = b"%d 0 " % num
        payload = inner + b"<</Type /ObjStm /N 1 /First %d>>" % len(inner)
        body = _stream(b"/Type /ObjStm /N 1 /First %d" % len(inner), payload)
    elif which == 6:  # a very long name
        body = b"<</Type /" + b"A" * rng.choice([200, 70_000, 3_000_000]) + b">>"
    elif which == 7:  # a very long string
        body = b"<</V (" + b"x" * rng.choice([70_000, 5_000_000]) + b")>>"
    elif which == 8:  # a chain of references, deep
        objs = {size + i: b"%d 0 R" % (size + i + 1) for i in range(depth // 10)}
        objs[num] = b"%d 0 R" % size
        return append_update(data, objs)
    elif which == 9:  # a hundred thousand objects
        objs = {size + i: b"<</K %d>>" % i for i in range(100_000)}
        objs[num] = b"<</Kids [" + b" ".join(b"%d 0 R" % n for n in objs) + b"]>>"
        return append_update(data, objs)
    else:  # a page tree whose kid is its parent
        body = b"<</Type /Pages /Kids [%d 0 R] /Count 1000000000>>" % num
    return append_update(data, {num: body})


def xref_loop(rng: random.Random, data: bytes) -> bytes:
    """An update whose /Prev points at itself, or at a later offset, or out of the file."""
    num = _target(rng, data)
    body = b"<</Loop true>>"
    after = append_update(data, {num: body})
    xref_at = int(re.findall(rb"startxref\s+(\d+)", after)[-1])
    prev = rng.choice([xref_at, xref_at + 3, len(after) + 1_000_000, 1 << 62])
    return append_update(data, {num: body}, prev=prev)


def splice_revisions(rng: random.Random, data: bytes) -> bytes:
    """Revisions cut at an %%EOF, one dropped, or one repeated."""
    ends = [m.end() for m in re.finditer(rb"%%EOF\r?\n?", data)]
    if len(ends) < 2:
        return data[: len(data) // 2]
    parts = [data[a:b] for a, b in zip([0, *ends], ends, strict=False)]
    how = rng.randrange(3)
    if how == 0:  # cut after some revision (a signature lost, or the timestamp)
        return b"".join(parts[: rng.randrange(1, len(parts))])
    if how == 1:  # a middle revision dropped
        i = rng.randrange(1, len(parts))
        return b"".join(parts[:i] + parts[i + 1 :])
    i = rng.randrange(1, len(parts))  # a revision repeated
    return b"".join([*parts[: i + 1], parts[i], *parts[i + 1 :]])


def numbers(rng: random.Random, data: bytes) -> bytes:
    """A number of the structure (a /Length, an offset, a /Count, /N, /First) replaced."""
    spots = [m.span(1) for m in re.finditer(rb"/(?:Length|Count|N|First|Size|Prev)\s+(\d+)", data)]
    spots += [m.span(1) for m in re.finditer(rb"startxref\s+(\d+)", data)]
    out = bytearray(data)
    for a, b in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 3))), reverse=True):
        out[a:b] = str(
            rng.choice([0, 1, -1, 2**31, 2**40, 2**63, 10**30, int(data[a:b]) + rng.randint(-9, 9)])
        ).encode()
    return bytes(out)


def byte_flips(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(16, len(data))]


def move_chunk(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    start = rng.randrange(len(out))
    chunk = out[start : start + rng.randint(1, 4096)]
    if rng.random() < 0.5:
        del out[start : start + len(chunk)]
    at = rng.randrange(len(out))
    out[at:at] = chunk
    return bytes(out)


def tail_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    tail = max(0, len(out) - 6000)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(tail, len(out))] = rng.choice(b"0123456789 /<>[]RobjxefEO%")
    return bytes(out)


def junk(rng: random.Random, data: bytes) -> bytes:
    return data + rng.randbytes(rng.randint(1, 2048))


def random_pdf(rng: random.Random, data: bytes) -> bytes:
    return b"%PDF-1.7\n" + rng.randbytes(rng.randint(0, 4096))


KINDS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": byte_flips,
    "truncate": truncate,
    "chunk": move_chunk,
    "tail": tail_bytes,
    "junk": junk,
    "random": random_pdf,
    "splice": splice_revisions,
    "numbers": numbers,
    "hostile": hostile_object,
    "xref-loop": xref_loop,
}


def mutate(originals: list[bytes], seed: int) -> tuple[str, int, bytes]:
    """Case ``seed``: its kind, which original, and the mutated bytes (deterministic)."""
    rng = random.Random(seed)
    names = list(KINDS)
    kind = names[seed % len(names)]
    which = rng.randrange(len(originals))
    return kind, which, KINDS[kind](rng, originals[which])


# ---------------------------------------------------------------- judging a VALID mutant


def harmless(original: bytes, mutant: bytes) -> bool:
    """True when the mutant is the original as it was at an earlier revision (cut at one of its
    %%EOF markers: an authentic, earlier signed state), or when every differing byte is one no
    reader interprets: whitespace for whitespace, or a hex digit in the zero padding of a
    signature's /Contents."""
    if len(mutant) < len(original) and original.startswith(mutant):
        return bool(re.search(rb"%%EOF\r?\n?$", mutant))
    if len(original) != len(mutant):
        return False
    padding = [
        (m.start(1), m.end(1))
        for m in re.finditer(rb"/Contents\s*<[0-9A-Fa-f]*?((?:00)+)>", original)
    ]
    for i, (x, y) in enumerate(zip(original, mutant, strict=True)):
        if x == y:
            continue
        if chr(x) in " \r\n\t" and chr(y) in " \r\n\t":
            continue
        if any(a <= i < b for a, b in padding):
            continue
        return False
    return True


# ---------------------------------------------------------------- running a case


@dataclasses.dataclass(frozen=True)
class Result:
    seed: int
    kind: str
    outcome: str
    detail: str
    seconds: float
    peak_mb: float


_ORIGINALS: list[bytes] = []
_OPTIONS: object = None
_LIMITS = (1024, 30.0)  # MB of address space, seconds


def _child(data: bytes, name: str, send: int) -> None:
    """In the forked child: the caps, then the verdict (or what went wrong) down the pipe."""
    from signer.errors import InputError
    from signer.verify.run import verify_bytes

    memory_mb, seconds = _LIMITS
    limit = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # past the timeout the child just ends
    signal.alarm(int(seconds) + 1)
    try:
        report = verify_bytes(data, name, _OPTIONS)  # type: ignore[arg-type]
        answer = (report.verdict.value, "; ".join(str(c) for c in report.failures)[:300])
    except InputError as e:
        answer = ("unusable", str(e)[:300])
    except MemoryError:
        answer = ("memory", "MemoryError")
    except BaseException as e:  # what this campaign exists to find
        import traceback

        answer = ("traceback", "".join(traceback.format_exception(e))[-2000:])
    os.write(send, pickle.dumps(answer))
    os._exit(0)


def run_case(seed: int) -> Result:
    kind, which, data = mutate(_ORIGINALS, seed)
    start = time.perf_counter()
    if data == _ORIGINALS[which]:
        return Result(seed, kind, "same", "", 0.0, 0.0)
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(receive)
        try:
            _child(data, f"fuzz-{seed}.pdf", send)
        finally:
            os._exit(3)
    os.close(send)
    chunks = []
    with io.FileIO(receive, "r") as pipe:
        while chunk := pipe.read(1 << 16):
            chunks.append(chunk)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    peak = usage.ru_maxrss / 1024
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        outcome = (
            "hang" if sig == signal.SIGALRM else "memory" if sig == signal.SIGKILL else "crash"
        )
        return Result(seed, kind, outcome, f"signal {sig}", seconds, peak)
    if not chunks:
        return Result(seed, kind, "crash", f"exit {os.WEXITSTATUS(status)}", seconds, peak)
    verdict, detail = pickle.loads(b"".join(chunks))
    if verdict == "VALID":
        verdict = "valid-harmless" if harmless(_ORIGINALS[which], data) else "valid-changed"
    elif verdict in ("INVALID", "INDETERMINATE"):
        verdict = "invalid"
    if peak > _LIMITS[0]:
        verdict = "memory"
    return Result(seed, kind, verdict, detail, seconds, peak)


def _init_worker() -> None:
    logging.disable(logging.CRITICAL)


def campaign(
    originals: list[bytes],
    options: object,
    seeds: range,
    jobs: int,
    memory_mb: int = 1024,
    seconds: float = 30.0,
    progress: Callable[[int, Result], None] | None = None,
    minutes: float | None = None,
) -> list[Result]:
    """Run the cases ``seeds`` over ``jobs`` forked workers; the result of each (of those run
    within ``minutes``, if given: a campaign on a busy machine still ends with its report)."""
    stop = time.monotonic() + minutes * 60 if minutes else None
    global _ORIGINALS, _OPTIONS, _LIMITS
    _ORIGINALS, _OPTIONS, _LIMITS = originals, options, (memory_mb, seconds)
    flate_bomb()  # made once, inherited by every worker
    import signer.verify.run  # noqa: F401  (loaded before forking: every case starts warm)

    results = []
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_init_worker) as pool:
        for n, r in enumerate(pool.imap_unordered(run_case, seeds, chunksize=4), 1):
            results.append(r)
            if progress:
                progress(n, r)
            if stop is not None and time.monotonic() > stop:
                pool.terminate()  # the cases in flight are dropped, not counted
                break
    return sorted(results, key=lambda r: r.seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0, help="first case (the cases are seeds)")
    parser.add_argument("-j", "--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--work", type=Path, default=Path("/tmp/kinerja-fuzz-pdfs"))
    parser.add_argument("--keep", action="store_true", help="reuse signed files in --work")
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--minutes", type=float, help="stop after this long, and report")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)

    from signer.trust import load_trust_config
    from signer.verify.evidence import VerifyOptions
    from signer.verify.run import verify_bytes

    args.work.mkdir(parents=True, exist_ok=True)
    originals, keys = prepare(args.work, args.keep)
    options = VerifyOptions(load_trust_config([keys]))
    for data in originals:  # the control: the verifier does say VALID to the real thing
        assert verify_bytes(data, "control.pdf", options).verdict.value == "VALID"
    start = time.perf_counter()

    cases = args.work / "cases"
    seen: Counter[str] = Counter()

    def progress(n: int, r: Result) -> None:
        seen[r.outcome] += 1
        if r.outcome in MUST_BE_ZERO:  # kept at once: a long campaign may be stopped
            cases.mkdir(exist_ok=True)
            (cases / f"{r.outcome}-{r.seed}.pdf").write_bytes(mutate(originals, r.seed)[2])
            print(f"  {r.outcome} {r.kind} seed {r.seed}: {r.detail[-300:]}", file=sys.stderr)
        if n % 500 == 0:
            elapsed = time.perf_counter() - start
            print(f"  {n} cases, {elapsed:.0f} s: {dict(seen)}", file=sys.stderr, flush=True)

    seeds = range(args.seed, args.seed + args.cases)
    results = campaign(
        originals, options, seeds, args.jobs, args.memory_mb, args.timeout, progress, args.minutes
    )
    wall = time.perf_counter() - start
    counts = Counter(r.outcome for r in results)
    by_kind: dict[str, Counter[str]] = {}
    for r in results:
        by_kind.setdefault(r.kind, Counter())[r.outcome] += 1
    bad = [r for r in results if r.outcome in MUST_BE_ZERO]
    for r in [r for r in results if r.outcome == "valid-harmless"]:
        cases.mkdir(exist_ok=True)
        (cases / f"{r.outcome}-{r.seed}.pdf").write_bytes(mutate(originals, r.seed)[2])
    summary = {
        "cases": len(results),
        "wall_seconds": round(wall, 1),
        "jobs": args.jobs,
        "counts": dict(counts),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "slowest_seconds": round(max((r.seconds for r in results), default=0), 2),
        "peak_mb": round(max((r.peak_mb for r in results), default=0), 1),
        "bad": [dataclasses.asdict(r) for r in bad[:20]],
    }
    print(json.dumps(summary, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
