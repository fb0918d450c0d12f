"""People, not names: the demo PKI gives each person (plain name and NIP) one certificate and one
key file, carries the NIP in the certificate, and the key store picks a certificate by it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from signer.demo_pki import pki
from signer.model import Nip, Pihak
from signer.names import certificate_nip
from signer.sign.keys import KeyMaterialError, KeyStore

DINKES = Pihak("H. Ahmad Fauzi, S.T.", "Kepala Dinas Kesehatan", Nip("197405122001122003"), "IV/b")
DISDIK = Pihak("H. Ahmad Fauzi, S.T.", "Kepala Dinas Pendidikan", Nip("197104231996032003"), "IV/b")
DISHUB = Pihak("H. Ahmad Fauzi S.T.", "Kepala Dinas Perhubungan", Nip("197902142001121003"), "IV/b")
WALI = Pihak("H. Ahmad Fauzi, S.E.", "Wali Kota Contoh")  # no NIP: the kepala daerah


@pytest.mark.parametrize(
    "serial, nip",
    [
        ("NIP.197405122001122003", "197405122001122003"),
        ("nip: 19740512 200112 2 003", "197405122001122003"),
        ("IDCID-3174051205740003", None),
        ("197405122001122003", None),  # digits alone could be any number
        (None, None),
    ],
)
def test_the_nip_a_certificate_carries(serial: str | None, nip: str | None) -> None:
    subject = {"common_name": "Ahmad Fauzi", **({"serial_number": serial} if serial else {})}
    assert certificate_nip(subject) == nip


def test_one_key_file_per_person_never_one_for_two() -> None:
    people = [DINKES, DISDIK, DISHUB, WALI]
    ids = [pki.holder_id(p) for p in people]
    assert len(set(ids)) == len(people)
    assert ids[0].startswith("ahmad-fauzi-197405122001122003-")
    # the same person written with other gelar or punctuation is the same holder
    assert pki.holder_id(replace(DINKES, nama="AHMAD FAUZI, S.T., M.T.")) == ids[0]
    assert pki.holder_id(replace(WALI, nama="Ahmad Fauzi")) == ids[3]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parties = [DINKES, DISDIK, DISHUB, WALI, replace(DINKES, jabatan="Plt. Kepala Dinas Sosial")]
    folder = tmp_path_factory.mktemp("kunci")
    authority = pki.build_demo_pki(parties, "Pemerintah Kota Contoh")
    pki.write_demo_pki(authority, folder, parties, b"demo")
    return folder


def test_the_store_holds_a_certificate_per_person_with_the_nip(store: Path) -> None:
    files = sorted((store / "pihak").glob("*.p12"))
    assert len(files) == 4  # DINKES's head holding a second post is still one person
    keys = KeyStore(store, b"demo")
    assert sorted(c.nip or "" for c in keys.credentials) == sorted(
        ["", DINKES.nip.digits, DISDIK.nip.digits, DISHUB.nip.digits]  # type: ignore[union-attr]
    )


def test_the_store_picks_a_namesake_by_nip(store: Path) -> None:
    keys = KeyStore(store, b"demo")
    for p in (DINKES, DISDIK, DISHUB):
        assert keys.for_party(p).nip == p.nip.digits  # type: ignore[union-attr]
    assert keys.for_party(replace(DINKES, nama="Ahmad Fauzi")).nip == DINKES.nip.digits  # type: ignore[union-attr]
    # without a NIP a name cannot choose among four Ahmad Fauzi
    with pytest.raises(KeyMaterialError, match=r"4 certificates .* match the name"):
        keys.for_party(WALI)
    # a NIP no certificate carries: only the one certificate without a NIP is left
    stranger = replace(DINKES, nip=Nip("198001012005011002"))
    assert keys.for_party(stranger).nip is None
