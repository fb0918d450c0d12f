"""`kinerja sign --bsre`: officials sign through BSrE's eSign API (here the emulator on
127.0.0.1), the archive is extended to B-LTA and verifies offline, also ten years on; every way
a remote signing can go wrong is one line, exit 2, and the files as they were."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from signer.demo_bsre import account_of
from signer.demo_pki.bsre_accounts import Pengguna, users_for_ceremony
from signer.demo_pki.bsre_emulator import BsreEmulator
from signer.demo_pki.bsre_pdf import Origin
from signer.model import Agreement, Peran
from signer.sign.rules import read_prepared, read_strict
from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]


def agreement(path: Path) -> Agreement:
    data = path.read_bytes()
    return read_prepared(read_strict(data, str(path)), str(path)).agreement


@pytest.fixture(scope="module")
def accounts(prepared_example: Path) -> list[Pengguna]:
    users = users_for_ceremony(agreement(p) for p in sorted(prepared_example.glob("*.pdf")))
    # one more: registered, no certificate yet
    return [*users, Pengguna("3371010101800009", "baru@kotacontoh.go.id", "Budi Santoso",
                             "demo", "JBSWY3DPEHPK3PXP", certificate=False)]  # fmt: skip


@pytest.fixture(scope="module")
def emulator(
    accounts: list[Pengguna], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BsreEmulator]:
    with BsreEmulator.start(tmp_path_factory.mktemp("bsre"), accounts) as emu:
        yield emu


@pytest.fixture
def emu(emulator: BsreEmulator) -> Iterator[BsreEmulator]:
    emulator.set_fault(None)
    yield emulator
    emulator.set_fault(None)


def environment(emu: BsreEmulator, passphrase: str = "demo") -> dict[str, str]:
    user, password = emu.client
    return {
        **os.environ,
        "KINERJA_BSRE_USER": user,
        "KINERJA_BSRE_PASSWORD": password,
        "KINERJA_PASSPHRASE": passphrase,
    }


def sign_requests(emu: BsreEmulator) -> int:
    return sum(1 for r in emu.requests if r.endpoint == "/api/v2/sign/pdf")


def sign(
    emu: BsreEmulator, files: list[Path], role: Peran, nik: str, *extra: str, **env: str
) -> tuple[int, str]:
    done = run_kinerja(
        "sign", *map(str, files), "--role", role.value, "--bsre", emu.url, "--bsre-id", nik,
        "--trust", str(emu.root_path), *extra, env={**environment(emu), **env},
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def by_signer(files: list[Path], role: Peran, accounts: list[Pengguna]) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for f in files:
        a = agreement(f)
        if role in a.peran:
            out.setdefault(account_of(accounts, a.pihak(role)).nik, []).append(f)
    return out


def snapshot(files: list[Path]) -> dict[Path, bytes]:
    return {f: f.read_bytes() for f in files}


def test_a_ceremony_signed_through_bsre_is_extended_and_verifies_offline_in_2036(
    prepared_example: Path, accounts: list[Pengguna], tmp_path: Path
) -> None:
    with BsreEmulator.start(tmp_path / "bsre", accounts) as emu:
        ceremony_through(emu, prepared_example, accounts, tmp_path)


def ceremony_through(
    emu: BsreEmulator, prepared_example: Path, accounts: list[Pengguna], tmp_path: Path
) -> None:
    folder = tmp_path / "keluaran"
    shutil.copytree(prepared_example, folder)
    files = sorted(folder.glob("*.pdf"))
    for role in Peran:
        sessions = by_signer(files, role, accounts)
        before = sign_requests(emu)
        for nik, mine in sessions.items():
            code, said = sign(emu, mine, role, nik)
            assert code == 0, said
        # each signer's documents went in one request
        assert sign_requests(emu) - before == len(sessions)
    assert len(by_signer(files, Peran.PIHAK_KEDUA, accounts)) < len(files)  # the wali kota
    trust = ["--trust", str(emu.root_path)]
    checked = run_kinerja("verify", str(folder), *trust, "--json", "--bsre", emu.url,
                          env=environment(emu))  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    for document in report["documents"]:
        assert document["verdict"] == "VALID"
        assert {s["level"] for s in document["signatures"]} == {"B-T"}
        assert document["bsre"]["conclusion"] == "VALID"
    extended = run_kinerja("extend", str(folder), "--tsa-url", emu.tsa_url, *trust)
    assert extended.returncode == 0, extended.stdout + extended.stderr
    emu.stop()  # the archive must carry every proof itself from now on
    for at in ([], ["--at", "2036-01-01"]):
        offline = run_kinerja("verify", str(folder), *trust, "--offline", "--json", *at)
        assert offline.returncode == 0, offline.stdout + offline.stderr
        for document in json.loads(offline.stdout)["documents"]:
            assert document["verdict"] == "VALID"
            assert {s["level"] for s in document["signatures"]} == {"B-LTA"}


@pytest.fixture
def one(prepared_example: Path, tmp_path: Path) -> Path:
    """An agreement to sign as pihak pertama (a copy)."""
    source = next(p for p in sorted(prepared_example.glob("*.pdf")) if "pk-" in p.name)
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def first_signer(path: Path, accounts: list[Pengguna]) -> Pengguna:
    return account_of(accounts, agreement(path).pihak_pertama)


def refused(
    emu: BsreEmulator, one: Path, accounts: list[Pengguna], *extra: str, nik: str = "", **env: str
) -> tuple[str, int]:
    """Sign ``one`` expecting a refusal: (the message, sign requests it cost)."""
    before, requests = one.read_bytes(), sign_requests(emu)
    code, said = sign(emu, [one], Peran.PIHAK_PERTAMA, nik or first_signer(one, accounts).nik,
                      *extra, **env)  # fmt: skip
    assert code == 2, said
    assert "Traceback" not in said
    errors = [line for line in said.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, said
    assert one.read_bytes() == before
    assert not [p for p in one.parent.iterdir() if p.name.startswith(".")
                and p.suffix != ".lock" and "kinerja" not in p.name]  # fmt: skip
    return errors[0], sign_requests(emu) - requests


def test_a_wrong_passphrase_is_one_request_never_retried(
    emu: BsreEmulator, one: Path, accounts: list[Pengguna]
) -> None:
    said, requests = refused(emu, one, accounts, KINERJA_PASSPHRASE="salah")
    assert "2031" in said and "wrong passphrase" in said
    assert requests == 1


def test_an_unknown_nik_and_a_missing_certificate_cost_no_signing_request(
    emu: BsreEmulator, one: Path, accounts: list[Pengguna]
) -> None:
    said, requests = refused(emu, one, accounts, nik="3371010101809999")
    assert "not registered" in said and requests == 0
    said, requests = refused(emu, one, accounts, nik="3371010101800009")
    assert "no certificate" in said and requests == 0


def test_another_partys_document_costs_no_request(
    emu: BsreEmulator, one: Path, accounts: list[Pengguna]
) -> None:
    other = next(
        u for u in accounts if u.nama != first_signer(one, accounts).nama and u.certificate
    )
    said, requests = refused(emu, one, accounts, nik=other.nik)
    assert requests == 0
    assert one.name in said or "cannot be signed" in said


def test_a_server_that_is_down_or_hangs_or_fails(
    emu: BsreEmulator, one: Path, accounts: list[Pengguna]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    before = one.read_bytes()
    code, said = sign(emu, [one], Peran.PIHAK_PERTAMA, first_signer(one, accounts).nik)
    assert code == 0, said  # the emulator works: the faults below are the server's
    shutil.copy(one, one.with_suffix(".signed"))
    one.write_bytes(before)
    down = run_kinerja("sign", str(one), "--role", "pihak-pertama", "--bsre",
                       f"http://127.0.0.1:{closed}", "--bsre-id", "3371010101800009",
                       env=environment(emu))  # fmt: skip
    assert down.returncode == 2 and "cannot be reached" in down.stderr, down.stderr
    assert one.read_bytes() == before
    emu.set_fault("server-error")
    said, _ = refused(emu, one, accounts)
    assert "HTTP 500" in said
    emu.set_fault("hang")
    said, _ = refused(emu, one, accounts, "--bsre-timeout", "3")
    assert "did not answer" in said


@pytest.mark.parametrize("fault", ["changed-document", "wrong-signer", "extra-update", "rewritten"])
def test_what_bsre_returns_is_checked_before_it_is_written(
    emu: BsreEmulator, one: Path, accounts: list[Pengguna], fault: str
) -> None:
    emu.set_fault(fault)
    said, requests = refused(emu, one, accounts)
    assert requests == 1
    assert "refused" in said or "does not verify" in said


def test_a_totp_from_the_besign_app(emu: BsreEmulator, one: Path, accounts: list[Pengguna]) -> None:
    user = first_signer(one, accounts)
    done = run_kinerja_with_input(emu, one, user, emu.totp_now(user))
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(r.endpoint == "/api/v2/sign/get/totp" for r in emu.requests)


def run_kinerja_with_input(emu: BsreEmulator, one: Path, user: Pengguna, code: str):  # type: ignore[no-untyped-def]
    import subprocess

    from tests.conftest import KINERJA

    env = {k: v for k, v in environment(emu).items() if k != "KINERJA_PASSPHRASE"}
    return subprocess.run(
        [KINERJA, "sign", str(one), "--role", "pihak-pertama", "--bsre", emu.url, "--bsre-id",
         user.nik, "--totp", "--trust", str(emu.root_path)],
        input=code + "\n", capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


def test_the_origin_is_a_setting(one: Path, accounts: list[Pengguna], tmp_path: Path) -> None:
    with BsreEmulator.start(tmp_path / "bsre", accounts, origin=Origin.UPPER_LEFT) as emu:
        nik = first_signer(one, accounts).nik
        before = one.read_bytes()
        code, said = sign(emu, [one], Peran.PIHAK_PERTAMA, nik)
        assert code == 2, said  # counted from the wrong corner: not over the prepared field
        assert one.read_bytes() == before
        code, said = sign(emu, [one], Peran.PIHAK_PERTAMA, nik, "--bsre-origin", "upper-left")
        assert code == 0, said


def test_bsre_status_before_a_ceremony(emu: BsreEmulator, accounts: list[Pengguna]) -> None:
    ready = accounts[0]
    done = run_kinerja("bsre", "status", "--bsre", emu.url, "--bsre-id", ready.nik, "--json",
                       env=environment(emu))  # fmt: skip
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)[0]
    assert row["can_sign"] and row["holder"] == ready.nama
    done = run_kinerja("bsre", "status", "--bsre", emu.url, "--bsre-id", "3371010101800009",
                       "--bsre-id", "3371010101809999", env=environment(emu))  # fmt: skip
    assert done.returncode == 1
    assert "NO_CERTIFICATE" in done.stdout and "NOT_REGISTERED" in done.stdout
