"""The agreement model: plain, typed, immutable data for every document of a ceremony.

A ceremony produces documents of the kinds in :mod:`signer.kinds`, all with the same two roles:
pihak pertama (the official who commits) and pihak kedua (the superior who supervises, or in a
Pakta Integritas the atasan who witnesses). A Perjanjian Kinerja carries sasaran, each with its
indikator and target, and the programs with their anggaran.

Numbers are :class:`decimal.Decimal` (targets) or ``int`` (rupiah), never ``float``: the model
is embedded in signed PDFs and read years later, so a target must not drift.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from signer.errors import Problem
from signer.kinds import JenisDokumen
from signer.verify_url import canonical as canonical_url


class Peran(StrEnum):
    """A party's role. The order of the members is the signing order."""

    PIHAK_PERTAMA = "pihak-pertama"
    PIHAK_KEDUA = "pihak-kedua"


class Arah(StrEnum):
    """Which way an indikator is better."""

    NAIK = "naik"  # higher is better
    TURUN = "turun"  # lower is better
    PREDIKAT = "predikat"  # a rank on an ordinal scale (WTP/WDP/TW/TMP, AA..D)
    RENTANG = "rentang"  # a range: inside is on target


class ZonaWaktu(StrEnum):
    """Indonesia's three time zones, with their IANA names."""

    WIB = "WIB"
    WITA = "WITA"
    WIT = "WIT"

    @property
    def iana(self) -> str:
        return {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}[self.value]


class JenisUnit(StrEnum):
    """The kind of organisational unit (perangkat daerah) an agreement is made for."""

    SEKRETARIAT = "sekretariat"
    INSPEKTORAT = "inspektorat"
    DINAS = "dinas"
    BADAN = "badan"
    SATUAN = "satuan"  # Satuan Polisi Pamong Praja
    RSUD = "rsud"
    BAGIAN = "bagian"
    KECAMATAN = "kecamatan"
    # the pemerintah daerah as a whole: the "unit" of the kepala daerah's own PK (schema v2)
    PEMERINTAH_DAERAH = "pemerintah-daerah"


# Golongan/ruang of a PNS and the pangkat name it carries (Perka BKN; see notes/domain.md §6).
PANGKAT_GOLONGAN: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}

# Ordinal scales for arah "predikat", best first (notes/domain.md §3.1).
SKALA_PREDIKAT: dict[str, tuple[str, ...]] = {
    "Opini BPK": ("WTP", "WDP", "TW", "TMP"),
    "Nilai SAKIP": ("AA", "A", "BB", "B", "CC", "C", "D"),
    "Kepatuhan Pelayanan Publik": ("Hijau", "Kuning", "Merah"),
    "Indeks Reformasi Birokrasi": ("AA", "A", "BB", "B", "CC", "C", "D"),
}

SATUAN_UMUM: tuple[str, ...] = (
    "%",
    "Persen",
    "Indeks",
    "Nilai",
    "Poin",
    "Predikat",
    "Dokumen",
    "Laporan",
    "Orang",
    "Kali",
    "Kasus",
    "Rp",
    "Bulan",
    "Hari",
    "Unit",
    "Km",
    "Ton",
    "per 100.000 KH",
    "per 1.000 KH",
    "Tahun",
    "Kelurahan",
)


class NipError(ValueError):
    """A NIP that is not a valid 18-digit NIP."""


@dataclass(frozen=True)
class Nip:
    """An 18-digit NIP: birth date, TMT CPNS, sex digit, serial number (Perka BKN 22/2007)."""

    digits: str

    def __post_init__(self) -> None:
        validate_nip(self.digits)

    @classmethod
    def parse(cls, text: str) -> Nip:
        """Read a NIP typed with or without the usual spaces or dots."""
        return cls(re.sub(r"[\s.]", "", str(text)))

    @property
    def tanggal_lahir(self) -> dt.date:
        d = self.digits
        return dt.date(int(d[0:4]), int(d[4:6]), int(d[6:8]))

    @property
    def tmt_cpns(self) -> tuple[int, int]:
        return int(self.digits[8:12]), int(self.digits[12:14])

    @property
    def jenis_kelamin(self) -> str:
        return "laki-laki" if self.digits[14] == "1" else "perempuan"

    def formatted(self) -> str:
        """The printed form: '19780226 199703 1 002'."""
        d = self.digits
        return f"{d[0:8]} {d[8:14]} {d[14]} {d[15:18]}"

    def __str__(self) -> str:
        return self.digits


def validate_nip(digits: str) -> None:
    """Raise :class:`NipError` with the reason when ``digits`` is not a valid NIP."""
    if not re.fullmatch(r"\d{18}", digits):
        raise NipError(
            f"a NIP has 18 digits, got {len(re.sub(r'[^0-9]', '', digits))} in {digits!r}"
        )
    try:
        born = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise NipError(
            f"digits 1-8 of NIP {digits} are not a valid birth date (YYYYMMDD)"
        ) from None
    if not 1930 <= born.year <= dt.date.today().year - 15:
        raise NipError(f"birth year {born.year} in NIP {digits} is not plausible")
    tmt_year, tmt_month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= tmt_month <= 12:
        raise NipError(
            f"digits 9-14 of NIP {digits} are not a valid TMT (YYYYMM): month {tmt_month}"
        )
    if not born.year + 15 <= tmt_year <= dt.date.today().year + 1:
        raise NipError(f"TMT year {tmt_year} in NIP {digits} does not fit birth year {born.year}")
    if digits[14] not in "12":
        raise NipError(f"digit 15 of NIP {digits} is the sex digit, 1 or 2, got {digits[14]}")
    if digits[15:18] == "000":
        raise NipError(f"digits 16-18 of NIP {digits} are a serial number from 001, got 000")


def normalise_text(text: str) -> str:
    """NFC, single spaces, no leading or trailing space: how every text in the model is kept."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class Pihak:
    """A party: an official (with NIP) or the kepala daerah (elected, no NIP, no pangkat)."""

    nama: str  # with gelar, as printed: "Dr. Rina Kartikasari, S.KM., M.Kes."
    jabatan: str
    nip: Nip | None = None
    golongan: str | None = None  # "IV/c"; the pangkat name follows from it

    def __post_init__(self) -> None:
        if self.golongan is not None and self.golongan not in PANGKAT_GOLONGAN:
            raise ValueError(f"unknown golongan {self.golongan!r}")

    @property
    def kepala_daerah(self) -> bool:
        return self.nip is None

    @property
    def pangkat(self) -> str | None:
        return PANGKAT_GOLONGAN[self.golongan] if self.golongan else None

    @property
    def pangkat_golongan(self) -> str | None:
        """The printed form: 'Pembina Utama Muda (IV/c)'."""
        return f"{self.pangkat} ({self.golongan})" if self.golongan else None


@dataclass(frozen=True)
class Instansi:
    """The pemerintah daerah that holds the ceremony."""

    nama: str  # "Pemerintah Kota Contoh"
    kop: tuple[str, ...] = ()  # letterhead lines under the name: address, phone, web
    logo: str | None = None  # file name of the logo, relative to the workbook's folder
    # where the pages' QR leads (the address, then the verification code); None: no address
    verify_url: str | None = None

    def __post_init__(self) -> None:
        # one agreement, one byte form: only the canonical address (signer.verify_url)
        if self.verify_url is not None and canonical_url(self.verify_url) != self.verify_url:
            raise ValueError(
                f"verify_url {self.verify_url!r} is not in its canonical form "
                f"{canonical_url(self.verify_url)!r}"
            )


@dataclass(frozen=True)
class Unit:
    """The organisational unit (OPD or kecamatan) an agreement is made for."""

    kode: str  # stable short code: "DINKES", "KEC-UTARA"
    nama: str
    jenis: JenisUnit


@dataclass(frozen=True)
class Rentang:
    """A range target: from ``bawah`` to ``atas``, both inclusive."""

    bawah: Decimal
    atas: Decimal

    def __post_init__(self) -> None:
        if self.bawah > self.atas:
            raise ValueError(f"range {self.bawah}-{self.atas}: the lower bound is above the upper")


@dataclass(frozen=True)
class Predikat:
    """A target or realisasi on an ordinal scale, e.g. 'WTP' on 'Opini BPK'."""

    nilai: str


Target = Decimal | Rentang | Predikat


@dataclass(frozen=True)
class Indikator:
    """One performance indicator with its yearly target and optional quarterly targets."""

    kode: str  # stable across years and revisions; realisasi is matched on it
    uraian: str
    satuan: str
    arah: Arah
    target: Target
    target_triwulan: tuple[Target, Target, Target, Target] | None = None
    skala: tuple[str, ...] | None = None  # the ordinal scale for arah predikat, best first
    skala_nama: str | None = None

    def __post_init__(self) -> None:
        expected: type = {
            Arah.NAIK: Decimal,
            Arah.TURUN: Decimal,
            Arah.RENTANG: Rentang,
            Arah.PREDIKAT: Predikat,
        }[self.arah]
        targets = (self.target, *(self.target_triwulan or ()))
        for t in targets:
            if not isinstance(t, expected):
                raise ValueError(
                    f"indikator {self.kode}: arah {self.arah} needs a {expected.__name__}"
                )
        if self.arah is Arah.PREDIKAT:
            if not self.skala:
                raise ValueError(f"indikator {self.kode}: arah predikat needs a scale")
            for t in targets:
                assert isinstance(t, Predikat)
                if t.nilai not in self.skala:
                    raise ValueError(f"indikator {self.kode}: {t.nilai!r} is not on {self.skala}")
        elif self.skala is not None:
            raise ValueError(f"indikator {self.kode}: only arah predikat has a scale")


@dataclass(frozen=True)
class Sasaran:
    """A strategic objective (sasaran strategis) and its indikator."""

    uraian: str
    indikator: tuple[Indikator, ...]


@dataclass(frozen=True)
class Program:
    """A program and its budget (anggaran, in whole rupiah)."""

    kode: str | None
    uraian: str
    anggaran: int

    def __post_init__(self) -> None:
        if isinstance(self.anggaran, bool) or not isinstance(self.anggaran, int):
            raise TypeError("anggaran is a whole number of rupiah")
        if self.anggaran < 0:
            raise ValueError("anggaran cannot be negative")


@dataclass(frozen=True)
class Rujukan:
    """A reference to a signed agreement: its document id and the SHA-256 of its embedded data
    (its verification code)."""

    id: str
    sha256: str


@dataclass(frozen=True)
class Agreement:
    """One document of the ceremony: a Perjanjian Kinerja (or a revision) or a Pakta Integritas."""

    jenis: JenisDokumen
    tahun: int
    instansi: Instansi
    unit: Unit
    tempat: str
    tanggal: dt.date
    zona_waktu: ZonaWaktu
    pihak_pertama: Pihak
    pihak_kedua: Pihak | None  # None for, and only for, a single-signer kind (kind.single_signer)
    sasaran: tuple[Sasaran, ...] = ()
    program: tuple[Program, ...] = ()
    perubahan_ke: int | None = None  # 1, 2, ... for a PK Perubahan
    alasan_perubahan: str | None = None
    nomor: str | None = None  # the document's own number, printed under the title
    menggantikan: Rujukan | None = None  # for a revision: the agreement it replaces
    id_pejabat: bool = False
    """The id names the official too: a Pakta Integritas of an official other than the unit's
    head (a unit may have several; the head's keeps the plain id, as it always had)."""

    def __post_init__(self) -> None:
        if self.jenis.revision != (self.perubahan_ke is not None):
            raise ValueError(
                f"perubahan_ke is set for, and only for, a revision ({self.jenis.judul})"
            )
        if not self.jenis.has_targets and (self.sasaran or self.program):
            raise ValueError(f"a {self.jenis.judul} has no sasaran and no program")
        if self.jenis.has_targets and not self.sasaran:
            raise ValueError(f"{self.jenis.judul} {self.unit.kode} has no sasaran")
        kodes = [i.kode for s in self.sasaran for i in s.indikator]
        if len(kodes) != len(set(kodes)):
            raise ValueError(f"{self.unit.kode}: indikator kode repeated")
        if self.jenis.single_signer:
            if self.pihak_kedua is not None:
                raise ValueError(f"a {self.jenis.judul} of the kepala daerah has no pihak kedua")
            if not self.pihak_pertama.kepala_daerah:
                raise ValueError(f"pihak pertama of a {self.jenis.value} is the kepala daerah")
        else:
            if self.pihak_kedua is None:
                raise ValueError(f"a {self.jenis.judul} has a pihak kedua")
            if self.pihak_pertama.kepala_daerah and self.jenis.has_targets:
                raise ValueError("pihak pertama of a PK is an official with a NIP")
        if (self.unit.jenis is JenisUnit.PEMERINTAH_DAERAH) != self.jenis.single_signer:
            raise ValueError(
                "unit jenis pemerintah-daerah is for, and only for, the kepala daerah's own PK"
            )
        if self.id_pejabat and self.jenis.has_targets:
            raise ValueError(f"only a Pakta Integritas names its official in its id ({self.id})")
        if self.menggantikan is not None and not self.jenis.revision:
            raise ValueError(f"a {self.jenis.judul} replaces no agreement; only a revision does")

    @property
    def id(self) -> str:
        """A stable document id, also the base of the file name: 'pk-2026-dinkes'."""
        prefix = self.jenis.id_prefix
        suffix = f"-r{self.perubahan_ke}" if self.perubahan_ke else ""
        unit = re.sub(r"[^a-z0-9]+", "-", self.unit.kode.lower()).strip("-")
        if self.id_pejabat:  # the NIP, unique per official (a kepala daerah: the name)
            p = self.pihak_pertama
            who = p.nip.digits if p.nip else re.sub(r"[^a-z0-9]+", "-", p.nama.lower())
            suffix = "-" + (who.strip("-") or "pejabat")
        return f"{prefix}-{self.tahun}-{unit}{suffix}"

    @property
    def peran(self) -> tuple[Peran, ...]:
        """The roles that sign this document, in signing order."""
        return (Peran.PIHAK_PERTAMA,) if self.jenis.single_signer else tuple(Peran)

    @property
    def pihak_semua(self) -> tuple[Pihak, ...]:
        """The parties that sign, in signing order."""
        return tuple(self.pihak(r) for r in self.peran)

    def pihak(self, peran: Peran) -> Pihak:
        """The party of a role; a role the document does not have is a ``ValueError``."""
        if peran is Peran.PIHAK_PERTAMA:
            return self.pihak_pertama
        if self.pihak_kedua is None:
            raise ValueError(f"{self.id} has no {peran.value}: pihak pertama signs it alone")
        return self.pihak_kedua

    @property
    def indikator(self) -> tuple[Indikator, ...]:
        return tuple(i for s in self.sasaran for i in s.indikator)

    @property
    def jumlah_anggaran(self) -> int:
        return sum(p.anggaran for p in self.program)

    @property
    def has_triwulan(self) -> bool:
        return any(i.target_triwulan for i in self.indikator)


@dataclass(frozen=True)
class Ceremony:
    """Everything read from one ceremony workbook."""

    instansi: Instansi
    tahun: int
    agreements: tuple[Agreement, ...]
    # what reading noticed but did not refuse (a sheet name in another case, a TW IV target
    # unlike the yearly one): printed by `kinerja check` and `generate`, not part of the data
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def parties(self) -> tuple[Pihak, ...]:
        """Every distinct party of the ceremony, in order of first appearance."""
        seen: dict[tuple[str, str | None], Pihak] = {}
        for a in self.agreements:
            for p in a.pihak_semua:
                seen.setdefault((p.nama, str(p.nip) if p.nip else None), p)
        return tuple(seen.values())
