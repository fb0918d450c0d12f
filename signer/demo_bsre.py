"""`kinerja demo --bsre`: the demo ceremony signed the way officials sign, through BSrE's eSign
API, here the emulator (:mod:`signer.demo_pki.bsre_emulator`) on 127.0.0.1.

Each kepala signs their own agreements with their NIK and passphrase, one session each; the wali
kota signs every agreement where he is pihak kedua in one session. BSrE returns B-T;
`extend` then adds the revocation data, fetched over HTTP from the URLs in the certificates, and
an archival timestamp from the emulator's TSA: B-LTA, which verifies with the emulator stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from signer.batch import InputFile, Outcome, Status, default_jobs
from signer.demo_pki.bsre_accounts import Pengguna, users_for_ceremony
from signer.demo_pki.bsre_emulator import BsreEmulator
from signer.errors import InputError
from signer.model import Agreement, Ceremony, Peran, Pihak
from signer.names import name_key
from signer.sign import Level, SignOptions, sign_files
from signer.sign.bsre import BsreSigner, open_bsre
from signer.sign.extend import extend_files
from signer.sign.rules import read_prepared, read_strict
from signer.sign.services import Services
from signer.trust import TrustConfig, load_trust, load_trust_config
from signer.verify import SigningAudit

Done = Callable[[str, str], None]


def account_of(users: Sequence[Pengguna], pihak: Pihak) -> Pengguna:
    """The emulator's account of a party: by NIP (its email), else by plain name."""
    for user in users:
        if pihak.nip is not None and user.email.split("@")[0] == pihak.nip.digits:
            return user
    for user in users:
        if pihak.nip is None and name_key(user.nama) == name_key(pihak.nama):
            return user
    raise InputError(f"the BSrE emulator has no account for {pihak.nama}")


def _agreement(item: InputFile) -> Agreement:
    data = item.path.read_bytes()
    return read_prepared(read_strict(data, str(item.path)), str(item.path)).agreement


def _counted(outcomes: Sequence[Outcome[None]], what: str) -> int:
    failed = [o for o in outcomes if o.status in (Status.FAILED, Status.REFUSED)]
    if failed:
        raise InputError(f"{what}: {failed[0].name}: {failed[0].detail}")
    return sum(1 for o in outcomes if o.status is Status.DONE)


def sign_through_bsre(
    folder: Path, ceremony: Ceremony, inputs: list[InputFile], done: Done
) -> TrustConfig:
    """Both signatures through the emulator, then extend to B-LTA; the trust to verify with
    (the emulator's root, offline: the archive holds every proof)."""
    users = users_for_ceremony(ceremony.agreements)
    emulator = BsreEmulator.start(folder / "bsre", users)
    try:
        trust = load_trust_config([emulator.root_path])
        for role in Peran:
            start = time.perf_counter()
            sessions, signed, requests = sign_sessions(emulator, users, inputs, role, trust)
            done(
                f"sign {role.value}",
                f"{signed} signed at PAdES B-T through the BSrE emulator at {emulator.url}: "
                f"{sessions} signer(s), {requests} request(s) "
                f"({time.perf_counter() - start:.1f} s)",
            )
        start = time.perf_counter()
        services = Services.online(emulator.tsa_url, load_trust([emulator.root_path]))
        extended = _counted(extend_files(inputs, services, default_jobs()), "extend")
        done(
            "extend",
            f"{extended} to PAdES B-LTA: OCSP and CRLs fetched from the certificates' URLs, an "
            f"archival timestamp from {emulator.tsa_url} ({time.perf_counter() - start:.1f} s)",
        )
    finally:
        emulator.stop()
    return load_trust_config([emulator.root_path], online=False)


def sign_sessions(
    emulator: BsreEmulator,
    users: Sequence[Pengguna],
    inputs: list[InputFile],
    role: Peran,
    trust: TrustConfig,
    jobs: int | None = None,
) -> tuple[int, int, int]:
    """Every document of ``inputs`` signed as ``role`` by its party, one session per signer:
    (signers, documents signed, signing requests)."""
    sessions: dict[str, list[InputFile]] = {}
    for item in inputs:
        a = _agreement(item)
        if role in a.peran:
            sessions.setdefault(account_of(users, a.pihak(role)).nik, []).append(item)
    signed = requests = 0
    for nik, files in sessions.items():
        signer = _session(emulator, users, nik)
        options = SignOptions(role, Level.B_T, jobs=jobs or default_jobs(), progress=False)
        outcomes = sign_files(files, signer, SigningAudit(trust), options)
        signed += _counted(outcomes, f"signing as {role.value}")
        requests += signer.requests
    return len(sessions), signed, requests


def _session(emulator: BsreEmulator, users: Sequence[Pengguna], nik: str) -> BsreSigner:
    user = next(u for u in users if u.nik == nik)
    client_user, client_password = emulator.client
    return open_bsre(
        emulator.url,
        nik,
        client_user=client_user,
        client_password=client_password,
        passphrase=lambda: user.passphrase,
        totp=None,
    )


def serve_emulator(folder: Path, workbook: Path | None, listen: str, tls: bool) -> None:
    """`kinerja bsre emulator`: the emulator in the foreground, with what a client needs to
    know printed (URL, client credentials, trust anchor, accounts), until Ctrl-C or SIGTERM."""
    import signal
    import threading

    from signer.demo_pki.bsre_accounts import users_for_ceremony
    from signer.demo_pki.bsre_emulator import BsreEmulator
    from signer.display import shown
    from signer.terminal import console

    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise InputError(f"--listen {listen}: expected HOST:PORT, e.g. 127.0.0.1:8443")
    if workbook is not None:
        from signer.workbooks.ceremony_read import read_workbook

        ceremony = read_workbook(workbook)
    else:
        from signer.example.workspace import ceremony as example_ceremony

        ceremony = example_ceremony()
    users = users_for_ceremony(ceremony.agreements)
    try:
        emulator = BsreEmulator.start(folder, users, host=host, port=int(port), tls=tls)
    except (OSError, ValueError) as e:
        raise InputError(f"BSrE emulator on {listen} with {folder}: {e}") from None
    stop = threading.Event()
    # before anything is printed: whoever reads "Ctrl-C (or SIGTERM) stops it" may send it at once
    # and Ctrl-C the same way: a KeyboardInterrupt could land between the last print and the wait
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with emulator:
        user, password = emulator.client
        console.print(f"BSrE emulator (DEMO) at {emulator.url}")
        console.print(f"client (HTTP Basic): {user} / {password}")
        console.print(f"trust anchor (--trust): {shown(emulator.root_path)}")
        if tls:
            console.print(f"TLS CA (--bsre-ca): {shown(emulator.tls_ca_path)}")
        console.print(f"TSA (--tsa-url): {emulator.tsa_url}")
        # plain aligned lines, never cut to the terminal's width: people copy NIKs from them
        rows = [("NIK", "email", "nama", "passphrase", "TOTP secret")]
        rows += [(u.nik, u.email, u.nama, u.passphrase, u.totp_secret) for u in users]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            console.print("  ".join(v.ljust(w) for v, w in zip(r, [*widths, 0], strict=True)))
        console.print("Ctrl-C (or SIGTERM) stops it")
        while not stop.wait(0.5):
            pass
        console.print("stopped")
