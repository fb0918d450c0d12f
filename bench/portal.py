"""Load test of the portal (`kinerja serve`) on 127.0.0.1: not a test, a measurement.

Starts `kinerja serve` over a workspace's archive (one uvicorn process with its event loop, and
two bounded verification workers: what 2 cores take), then with httpx as the client:

1. ``GET /v/{code}``: requests per second and latency percentiles at 16 at once;
2. uploads of a real signed PDF (``POST /api/v1/periksa``) at 2 at once;
3. ``GET /v/{code}`` at a light load (4 at once), alone and then while 20 hostile uploads are
   kept in flight (over the size limit, declared and streamed; garbage and truncated files with
   a %PDF header; deeply nested arrays and dictionaries; a compression bomb), and whether the
   server stays up and the page's p50/p95 stays within 2x.

Everything stays on the loopback interface and ends after a bounded number of requests.

    .venv/bin/kinerja demo                      # once: a workspace with a filled archive
    .venv/bin/python bench/portal.py demo
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
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
    yield b"--b\r\nContent-Disposition: form-data; name=file; filename=x.pdf\r\n\r\n%PDF-1.7\n"
    for _ in range(200):  # 200 MB if nobody stops it
        yield b"0" * (1 << 20)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path, help="A workspace with a filled archive.")
    args = parser.parse_args()
    from signer.archive import default_url, open_registry

    with open_registry(default_url(args.workspace), read_only=True) as registry:
        pk = next(a for a in registry.agreements() if a.id.startswith("pk-"))
        code, signed = pk.code, registry.pdf(pk.code)
    assert signed is not None
    port = free_port()
    server = subprocess.Popen(
        [KINERJA, "serve", str(args.workspace), "--port", str(port), "--verifiers", "2",
         "--page-rate", "100000", "--upload-rate", "100000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            for _ in range(100):
                try:
                    if (await client.get("/")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            print(f"server: kinerja serve, 1 uvicorn process, 2 verification workers, {base}")

            async def page() -> int:
                return (await client.get(f"/v/{code}")).status_code

            async def upload(data: bytes) -> int:
                files = {"file": ("x.pdf", data, "application/pdf")}
                return (await client.post("/api/v1/periksa", files=files)).status_code

            await run_load(50, 4, page)  # warm up
            show(f"GET /v/{{code}} ({pk.id}), 16 at once", *await run_load(2000, 16, page))
            show(
                f"POST /api/v1/periksa ({pk.id}.pdf, {len(signed) // 1024} KB), 2 at once",
                *await run_load(20, 2, lambda: upload(signed)),
            )
            quiet = await run_load(400, 4, page)
            show("GET /v/{code}, 4 at once, no other load", *quiet)

            hostile = hostile_files(signed)
            outcomes: dict[str, Counter[object]] = {name: Counter() for name in hostile}
            stop = asyncio.Event()

            async def attacker(name: str, data: bytes | None) -> None:
                async with httpx.AsyncClient(base_url=base, timeout=120) as own:
                    while not stop.is_set():
                        try:
                            if data is None:
                                r = await own.post(
                                    "/api/v1/periksa",
                                    content=streamed_past_limit(),
                                    headers={"content-type": "multipart/form-data; boundary=b"},
                                )
                            else:
                                files = {"file": ("x.pdf", data, "application/pdf")}
                                r = await own.post("/api/v1/periksa", files=files)
                            verdict = r.json().get("verdict") if r.status_code == 200 else None
                            outcomes[name][f"{r.status_code} {verdict or ''}".strip()] += 1
                        except httpx.HTTPError as e:
                            outcomes[name][type(e).__name__] += 1
                            await asyncio.sleep(0.1)

            names = list(hostile)
            attackers = [
                asyncio.create_task(attacker(names[i % len(names)], hostile[names[i % len(names)]]))
                for i in range(20)
            ]
            await asyncio.sleep(2)  # let them get going
            loaded = await run_load(400, 4, page)
            stop.set()
            await asyncio.gather(*attackers)
            show("GET /v/{code}, 4 at once, 20 hostile uploads in flight", *loaded)
            for name, seen in outcomes.items():
                print(f"  hostile {name}: {dict(seen)}")
            up = (await client.get(f"/v/{code}")).status_code == 200 and server.poll() is None
            ms = [[t * 1000 for t in quiet[0]], [t * 1000 for t in loaded[0]]]
            p50 = percentile(ms[1], 50) / percentile(ms[0], 50)
            p95 = percentile(ms[1], 95) / percentile(ms[0], 95)
            within = "within" if max(p50, p95) <= 2 else "OVER"
            print(
                f"server up afterwards: {up}; /v/{{code}} under attack: p50 x{p50:.2f}, "
                f"p95 x{p95:.2f} of the quiet figures ({within} 2x)"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
