"""Benchmark: the example ceremony signed through the BSrE emulator, over HTTP on 127.0.0.1.

Each pihak pertama signs their agreements in one request, then each pihak kedua (the wali
kota, the Sekda) theirs, visibly over the prepared fields, as a client of BSrE's API would.
Prints the time per document as the client sees it (base64, JSON, HTTP and the emulator's
signing: PAdES B-T with a timestamp from its TSA) beside the emulator's own ``time`` (the
signing alone), so the difference is what the transport costs. The real BSrE took about 0.9 s
for one 2-page file (bsre_api.md 0); the emulator shows what the client side can go at.

Then the same ceremony again, from fresh copies, through kinerja's own BSrE backend
(`kinerja sign --bsre`, as `kinerja demo --bsre` runs it): every pre-signing rule, the full
verify policy before and after each signature, the stamp drawn as a PNG, the returned document
checked and written atomically. Its time per document against the bare API call's is the
overhead kinerja adds.

    .venv/bin/python bench/bsre.py
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from common import arguments, example
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.batch import expand_inputs
from signer.demo_bsre import sign_sessions
from signer.demo_pki.bsre_accounts import users_for_ceremony
from signer.demo_pki.bsre_emulator import BsreEmulator
from signer.embedded import read_embedded
from signer.model import Peran
from signer.sign.rules import signature_fields
from signer.trust import load_trust_config

CLIENT = ("kinerja", "rahasia-demo")


def image(width: float, height: float) -> str:
    img = Image.new("RGB", (max(1, int(width * 2)), max(1, int(height * 2))), "white")
    out = io.BytesIO()
    img.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def sign(url: str, body: dict[str, object]) -> dict[str, object]:
    auth = base64.b64encode(f"{CLIENT[0]}:{CLIENT[1]}".encode()).decode()
    request = urllib.request.Request(
        url + "/api/v2/sign/pdf",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"},
    )
    with urllib.request.urlopen(request, timeout=600) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def main() -> None:
    args = arguments(0, "unused")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ex = example(work / "example")
        docs = {p: p.read_bytes() for p in sorted(ex.prepared.glob("*.pdf"))}
        agreements = {
            p: read_embedded(PdfFileReader(io.BytesIO(d)).root).agreement for p, d in docs.items()
        }
        users = users_for_ceremony(agreements.values())
        by_local = {u.email.split("@")[0]: u for u in users}
        with BsreEmulator.start(work / "bsre", users) as emu:
            # issue every account's certificate first: a real BSrE has them already
            for u in users:
                emu.pki.user(u.nik, u.nama, u.email)
            client_s: list[float] = []
            server_s: list[float] = []
            count = 0
            for role in (Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA):
                batches: dict[str, list[Path]] = {}
                for path, a in agreements.items():
                    if role not in a.peran:
                        continue
                    p = a.pihak(role)
                    u = by_local.get(p.nip.digits) if p.nip else None
                    u = u or next(x for x in users if x.nama in p.nama)
                    batches.setdefault(u.nik, []).append(path)
                for nik, paths in batches.items():
                    props = []
                    for path in paths:
                        f = signature_fields(PdfFileReader(io.BytesIO(docs[path])))[role.value]
                        x1, y1, x2, y2 = f.box
                        props.append(
                            {
                                "tampilan": "VISIBLE",
                                "imageBase64": image(x2 - x1, y2 - y1),
                                "page": f.page + 1,
                                "originX": x1,
                                "originY": y1,
                                "width": x2 - x1,
                                "height": y2 - y1,
                                "reason": f"bench {role.value}",
                            }
                        )
                    start = time.perf_counter()
                    body = sign(
                        emu.url,
                        {
                            "nik": nik,
                            "passphrase": "demo",
                            "signatureProperties": props,
                            "file": [base64.b64encode(docs[p]).decode() for p in paths],
                        },
                    )
                    elapsed = time.perf_counter() - start
                    files = body["file"]
                    assert isinstance(files, list) and len(files) == len(paths)
                    for path, out in zip(paths, files, strict=True):
                        docs[path] = base64.b64decode(out)
                    client_s.append(elapsed / len(paths))
                    server_ms = body["time"]
                    assert isinstance(server_ms, int)
                    server_s.append(server_ms / 1000 / len(paths))
                    count += len(paths)
            requests = len([r for r in emu.requests if r.endpoint == "/api/v2/sign/pdf"])
            copy = work / "kinerja"
            shutil.copytree(ex.prepared, copy)
            inputs = expand_inputs([copy])
            trust = load_trust_config([emu.root_path])
            start = time.perf_counter()
            through_kinerja = 0
            for role in (Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA):
                through_kinerja += sign_sessions(emu, users, inputs, role, trust, args.jobs)[1]
            kinerja_s = (time.perf_counter() - start) / through_kinerja
    api_s = statistics.mean(client_s)
    print(
        f"bsre emulator: {count} signatures in {requests} requests; per document "
        f"{statistics.mean(client_s):.3f} s as the client sees it, "
        f"{statistics.mean(server_s):.3f} s signing in the emulator "
        f"(transport {statistics.mean(client_s) - statistics.mean(server_s):.3f} s)"
    )
    print(
        f"through kinerja (--jobs {args.jobs}): {through_kinerja} signatures, {kinerja_s:.3f} s "
        f"per document: {kinerja_s - api_s:+.3f} s over the bare API call "
        f"({kinerja_s / api_s:.1f}x)"
    )


if __name__ == "__main__":
    main()
