"""The BSrE emulator's accounts: who may sign, with what passphrase and TOTP secret.

A real BSrE account is keyed on the NIK (the 16-digit KTP number) plus a dinas email; its
certificate carries the plain name only. :func:`users_for_ceremony` makes a fictional account
for every party of a ceremony so the demo can sign through the emulator; :func:`totp` is the
RFC 6238 code the BeSign app would show.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from signer.model import Agreement, Pihak
from signer.names import name_key, plain_name

DEMO_PASSPHRASE = "demo"
WILAYAH = "337199"
"""A 6-digit region code (province, kabupaten/kota, kecamatan) for the demo NIKs: 33 71 is a
real kota's prefix, kecamatan 99 is not in use, so no real person's NIK is made."""

TOTP_STEP = 30
TOTP_DIGITS = 6


@dataclass(frozen=True)
class Pengguna:
    """One account of the emulator (fictional)."""

    nik: str  # 16 digits
    email: str
    nama: str  # plain name, the certificate's commonName
    passphrase: str
    totp_secret: str  # base32, RFC 6238 SHA-1, 30 s, 6 digits
    certificate: bool = True  # False: registered, no certificate yet (NO_CERTIFICATE, 2021)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{16}", self.nik):
            raise ValueError(f"a NIK has 16 digits, got {self.nik!r}")
        base64.b32decode(self.totp_secret, casefold=True)  # raises on a bad secret

    def __repr__(self) -> str:  # never the passphrase or the TOTP secret
        return f"Pengguna(nik={self.nik!r}, email={self.email!r}, nama={self.nama!r})"


def totp(secret: str, at: float, *, step: int = TOTP_STEP, digits: int = TOTP_DIGITS) -> str:
    """The RFC 6238 code (HMAC-SHA-1, RFC 4226 truncation) for ``secret`` at ``at`` (epoch)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // step))
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp_matches(secret: str, code: str, at: float, *, window: int = 1) -> bool:
    """Whether ``code`` is the TOTP of ``secret`` at ``at``, one step either side allowed."""
    return any(
        hmac.compare_digest(totp(secret, at + k * TOTP_STEP), code)
        for k in range(-window, window + 1)
    )


def demo_totp_secret(nik: str) -> str:
    """A TOTP secret fixed by the NIK, so a restart shows the same one (demo accounts only)."""
    digest = hashlib.sha256(f"kinerja emulator TOTP {nik}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


def _domain(instansi: str) -> str:
    """'Pemerintah Kota Contoh' -> 'kotacontoh.go.id'."""
    words = re.sub(r"(?i)^pemerintah\s+", "", instansi)
    return f"{_slug(words) or 'pemda'}.go.id"


def _birth_and_sex(pihak: Pihak) -> tuple[dt.date, bool]:
    """The birth date and whether a woman: from the NIP, or (kepala daerah, no NIP) a
    plausible date fixed by the name."""
    if pihak.nip is not None:
        return pihak.nip.tanggal_lahir, pihak.nip.digits[14] == "2"
    n = int.from_bytes(hashlib.sha256(name_key(pihak.nama).encode()).digest()[:4], "big")
    return dt.date(1962, 1, 1) + dt.timedelta(days=n % (20 * 365)), False


def users_for_ceremony(
    agreements: Iterable[Agreement], *, passphrase: str = DEMO_PASSPHRASE
) -> list[Pengguna]:
    """A fictional account for every party of ``agreements``, one per person.

    A person is their NIP (the kepala daerah, who has none, their plain name). The NIK is
    shaped like a real one: the region code, the birth date as DDMMYY with 40 added to the day
    for a woman (NIP digit 15 is 2), and a 4-digit sequence that keeps NIKs apart.
    """
    people: dict[str, Pihak] = {}
    domain = "pemda.go.id"
    for a in agreements:
        domain = _domain(a.instansi.nama)
        for pihak in (a.pihak_pertama, a.pihak_kedua):
            if pihak is None or not plain_name(pihak.nama):
                continue
            who = pihak.nip.digits if pihak.nip else f"nama:{name_key(pihak.nama)}"
            people.setdefault(who, pihak)
    used: set[str] = set()
    users: list[Pengguna] = []
    for pihak in people.values():
        born, woman = _birth_and_sex(pihak)
        stem = f"{WILAYAH}{born.day + (40 if woman else 0):02d}{born:%m%y}"
        seq = 1
        while f"{stem}{seq:04d}" in used:
            seq += 1
        nik = f"{stem}{seq:04d}"
        used.add(nik)
        local = pihak.nip.digits if pihak.nip else _slug(plain_name(pihak.nama))
        users.append(
            Pengguna(
                nik=nik,
                email=f"{local}@{domain}",
                nama=plain_name(pihak.nama),
                passphrase=passphrase,
                totp_secret=demo_totp_secret(nik),
            )
        )
    return users
