"""Load test of the portal (`kinerja serve`) on 127.0.0.1: not a test, a measurement.

Starts `kinerja serve` over a workspace's archive (one uvicorn process with its event loop, and
two bounded verification workers: what 2 cores take), then with httpx as the client:

1. ``GET /v/{code}``: requests per second and latency percentiles at 16 at once;
2. uploads of a real signed PDF (``POST /api/v1/periksa``) at 2 at once;
3. ``GET /v/{code}`` at a light load (4 at once, from 40 loopback addresses), alone and then
   while 20 hostile uploads are kept in flight by a process of their own (over the size limit,
   declared and streamed; garbage and truncated files with a %PDF header; deeply nested arrays
   and dictionaries; a compression bomb), and whether the server stays up and the page's
   p50/p95 stays within 2x: once with the rate limits off (the worst case: an attacker with
   many addresses), once with the defaults and each attacker from its own 127.0.0.N.

Everything stays on the loopback interface and ends after a bounded number of requests.

    .venv/bin/kinerja demo                      # once: a workspace with a filled archive
    .venv/bin/python bench/portal.py demo
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pikepdf

KINERJA = str(Path(sys.executable).with_name("kinerja"))
LIMIT = 20 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def show(label: str, took: list[float], seconds: float, statuses: Counter[object]) -> None:
    ms = [t * 1000 for t in took]
    print(
        f"{label}: {len(took)} requests in {seconds:.1f} s, {len(took) / seconds:.1f}/s; "
        f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms; {dict(statuses)}"
    )


async def run_load(
    count: int, at_once: int, one: Callable[[], Awaitable[int]]
) -> tuple[list[float], float, Counter[object]]:
    """``count`` calls of ``one``, ``at_once`` at a time: each one's latency, the total time."""
    took: list[float] = []
    statuses: Counter[object] = Counter()
    left = count

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            start = time.perf_counter()
            statuses[await one()] += 1
            took.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(at_once)))
    return took, time.perf_counter() - start, statuses


def bomb_pdf() -> bytes:
    """A one-page PDF whose content stream inflates to 2 GB of zeros (about 2 MB deflated)."""
    squeeze = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    deflated = b"".join(squeeze.compress(chunk) for _ in range(2048)) + squeeze.flush()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, deflated)
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].Contents = stream
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def hostile_files(signed: bytes) -> dict[str, bytes | None]:
    """The hostile uploads by name; None: streamed past the limit without a length."""
    nested = 200_000
    return {
        "just over the limit": b"%PDF-1.7\n" + b"0" * (LIMIT + 1024),
        "far over the limit (streamed)": None,
        "garbage with a %PDF header": b"%PDF-1.7\n" + os.urandom(1 << 20),
        "truncated signed PDF": signed[: len(signed) // 2],
        "nested arrays": b"%PDF-1.7\n1 0 obj\n" + b"[" * nested + b"]" * nested + b"\nendobj\n",
        "nested dictionaries": b"%PDF-1.7\n1 0 obj\n"
        + b"<</A " * nested
        + b">>" * nested
        + b"\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n",
        "compression bomb": bomb_pdf(),
    }


async def streamed_past_limit() -> AsyncIterator[bytes]:
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=file; filename=x.pdf\r\n\r\n"
    yield head.encode()
    yield b"%PDF-1.7\n"
    for _ in range(200):  # 200 MB if nobody stops it
        yield b"0" * (1 << 20)


BOUNDARY = "kinerjabench"


def multipart(data: bytes) -> bytes:
    """A form with the file, encoded once (the client's own CPU is the server's, on 2 cores)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


FORM = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def start_server(workspace: Path, limited: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    rates = [] if limited else ["--page-rate", "100000", "--upload-rate", "100000"]
    server = subprocess.Popen(
        [KINERJA, "serve", str(workspace), "--port", str(port), "--verifiers", "2", *rates],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, f"http://127.0.0.1:{port}"


async def ready(client: httpx.AsyncClient) -> None:
    for _ in range(100):
        try:
            if (await client.get("/")).status_code == 200:
                return
        except httpx.HTTPError:
            await asyncio.sleep(0.2)


async def attack(base: str, seconds: float, own_addresses: bool) -> None:
    """20 hostile uploads kept in flight for ``seconds`` (each attacker from its own loopback
    address 127.0.0.N when ``own_addresses``, as 20 clients would be); prints what they got as
    JSON. Runs in a process of its own, so that the page's client measures the server, not
    its own event loop busy with the attackers."""
    with open_archive(Path(os.environ["KINERJA_BENCH_WORKSPACE"])) as (_, signed):
        hostile = hostile_files(signed)
    outcomes: dict[str, Counter[str]] = {name: Counter() for name in hostile}
    bodies = {name: multipart(data) if data is not None else None for name, data in hostile.items()}
    until = time.monotonic() + seconds

    async def attacker(n: int, name: str) -> None:
        body = bodies[name]
        local = f"127.0.0.{10 + n}" if own_addresses else None
        transport = httpx.AsyncHTTPTransport(local_address=local)
        async with httpx.AsyncClient(base_url=base, timeout=120, transport=transport) as own:
            while time.monotonic() < until:
                try:
                    sent = streamed_past_limit() if body is None else body
                    r = await own.post("/api/v1/periksa", content=sent, headers=FORM)
                    verdict = r.json().get("verdict") if r.status_code == 200 else None
                    outcomes[name][f"{r.status_code} {verdict or ''}".strip()] += 1
                except httpx.HTTPError as e:
                    outcomes[name][type(e).__name__] += 1
                    await asyncio.sleep(0.1)

    names = list(hostile)
    await asyncio.gather(*(attacker(i, names[i % len(names)]) for i in range(20)))
    print(json.dumps(outcomes))


@contextlib.contextmanager
def open_archive(workspace: Path) -> Iterator[tuple[str, bytes]]:
    """The code and archived PDF of the workspace archive's first Perjanjian Kinerja."""
    from signer.archive import default_url, open_registry

    with open_registry(default_url(workspace), read_only=True) as registry:
        pk = next(a for a in registry.agreements() if a.id.startswith("pk-"))
        signed = registry.pdf(pk.code)
        assert signed is not None
        yield pk.code, signed


async def attacked(
    base: str, workspace: Path, code: str, own_addresses: bool
) -> tuple[list[float], float, Counter[object], dict[str, dict[str, int]]]:
    """``/v/{code}`` at 4 at once (from 40 loopback addresses, as many readers would be) while
    the attack runs in its own process."""
    env = {**os.environ, "KINERJA_BENCH_WORKSPACE": str(workspace)}
    mode = "--attack-own" if own_addresses else "--attack"
    attacker = await asyncio.create_subprocess_exec(
        sys.executable, __file__, mode, base, stdout=asyncio.subprocess.PIPE, env=env
    )
    await asyncio.sleep(ATTACK_WARMUP)
    readers = [
        httpx.AsyncClient(
            base_url=base,
            timeout=120,
            transport=httpx.AsyncHTTPTransport(local_address=f"127.0.1.{1 + i}"),
        )
        for i in range(40)
    ]
    turn = 0

    async def page() -> int:
        nonlocal turn
        turn += 1
        return (await readers[turn % len(readers)].get(f"/v/{code}")).status_code

    start = time.monotonic()
    took, seconds, statuses = await run_load(400, 4, page)
    if time.monotonic() - start > ATTACK_SECONDS - ATTACK_WARMUP:
        print("  (the attack ended before the measurement: figures understate it)")
    for r in readers:
        await r.aclose()
    out, _ = await attacker.communicate()
    return took, seconds, statuses, json.loads(out)


ATTACK_SECONDS = 20.0
ATTACK_WARMUP = 3.0


async def quiet_pages(base: str, code: str) -> tuple[list[float], float, Counter[object]]:
    readers = [
        httpx.AsyncClient(
            base_url=base,
            timeout=120,
            transport=httpx.AsyncHTTPTransport(local_address=f"127.0.2.{1 + i}"),
        )
        for i in range(40)
    ]
    turn = 0

    async def page() -> int:
        nonlocal turn
        turn += 1
        return (await readers[turn % len(readers)].get(f"/v/{code}")).status_code

    result = await run_load(400, 4, page)
    for r in readers:
        await r.aclose()
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path, help="A workspace with a filled archive.")
    args = parser.parse_args()
    with open_archive(args.workspace) as (code, signed):
        pass
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    print("server: kinerja serve, 1 uvicorn process, 2 verification workers (nice 19)")
    for limited in (False, True):
        server, base = start_server(args.workspace, limited)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
                await ready(client)

                async def page() -> int:
                    return (await client.get(f"/v/{code}")).status_code

                async def upload() -> int:
                    r = await client.post(
                        "/api/v1/periksa", content=multipart(signed), headers=FORM
                    )
                    return r.status_code

                if not limited:
                    await run_load(50, 4, page)  # warm up
                    print("rate limits off (one client measures throughput):")
                    show("  GET /v/{code}, 16 at once", *await run_load(2000, 16, page))
                    show(
                        f"  POST /api/v1/periksa ({len(signed) // 1024} KB signed PDF), 2 at once",
                        *await run_load(20, 2, upload),
                    )
                else:
                    print("default rate limits, each attacker from its own address 127.0.0.N:")
            quiet = await quiet_pages(base, code)
            show("  GET /v/{code}, 4 at once from 40 addresses, no other load", *quiet)
            took, seconds, statuses, outcomes = await attacked(base, args.workspace, code, limited)
            show("  GET /v/{code}, the same, 20 hostile uploads in flight", took, seconds, statuses)
            for name, seen in outcomes.items():
                print(f"    hostile {name}: {seen}")
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                up = (await client.get(f"/v/{code}")).status_code == 200 and server.poll() is None
            q, a = [t * 1000 for t in quiet[0]], [t * 1000 for t in took]
            p50 = percentile(a, 50) / percentile(q, 50)
            p95 = percentile(a, 95) / percentile(q, 95)
            within = "within" if max(p50, p95) <= 2 else "OVER"
            print(
                f"  server up afterwards: {up}; /v/{{code}} under attack: p50 x{p50:.2f}, "
                f"p95 x{p95:.2f} of the quiet figures ({within} 2x)"
            )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("--attack", "--attack-own"):
        asyncio.run(attack(sys.argv[2], ATTACK_SECONDS, sys.argv[1] == "--attack-own"))
    else:
        asyncio.run(main())
