"""The example ceremony of the fictional "Pemerintah Kota Contoh".

Every person here is invented; every NIP passes validation but belongs to nobody. The indicators
follow real Perjanjian Kinerja practice (see notes/domain.md §1.5). The data lives in
``kota-contoh.json`` (objects whose fields are named as below and in the ``_*Json`` TypedDicts;
``tanggal`` is an ISO date); this module loads it into plain tuples, and ``workspace.py`` turns
those into the model and the workbooks.

Shapes once loaded:
- ``TANGGAL``: (year, month, day); ``KOP``: a tuple of lines.
- ``PEJABAT``: kode -> (nama dengan gelar, NIP or None for the kepala daerah, jabatan, golongan).
- ``UNITS``: one ``UnitData`` per unit: kode, nama, jenis, kode of the head (pihak pertama),
  kode of the superior (pihak kedua), sasaran with indikator, programs.
- An indikator is (kode, uraian, satuan, arah, target, triwulan, skala):
  target is a str decimal ("85", "92.5"), a range "69.1-69.5" (arah rentang) or a predikat
  ("WTP"); triwulan is None or four targets of the same shape (cumulative, quarter I to IV);
  skala names a scale of SKALA_PREDIKAT for arah predikat, else None.
- A program is (kode, uraian, anggaran in whole rupiah).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import NamedTuple, TypedDict

DATA_FILE = "kota-contoh.json"

Indikator = tuple[str, str, str, str, str, tuple[str, str, str, str] | None, str | None]
Program = tuple[str, str, int]


class UnitData(NamedTuple):
    kode: str
    nama: str
    jenis: str
    kepala: str  # kode in PEJABAT
    atasan: str  # kode in PEJABAT
    sasaran: tuple[tuple[str, tuple[Indikator, ...]], ...]
    program: tuple[Program, ...]


# The JSON shapes


class _PejabatJson(TypedDict):
    nama: str
    nip: str | None
    jabatan: str
    golongan: str | None


class _IndikatorJson(TypedDict):
    kode: str
    uraian: str
    satuan: str
    arah: str
    target: str
    triwulan: list[str] | None
    skala: str | None


class _SasaranJson(TypedDict):
    uraian: str
    indikator: list[_IndikatorJson]


class _ProgramJson(TypedDict):
    kode: str
    uraian: str
    anggaran: int


class _UnitJson(TypedDict):
    kode: str
    nama: str
    jenis: str
    kepala: str
    atasan: str
    sasaran: list[_SasaranJson]
    program: list[_ProgramJson]


class _DataJson(TypedDict):
    tahun: int
    instansi: str
    kop: list[str]
    tempat: str
    tanggal: str
    zona_waktu: str
    logo: str
    pejabat: dict[str, _PejabatJson]
    units: list[_UnitJson]


def _indikator(i: _IndikatorJson) -> Indikator:
    tw = i["triwulan"]
    if tw is not None and len(tw) != 4:
        raise ValueError(f"{DATA_FILE}: indikator {i['kode']}: triwulan needs four targets")
    triwulan = (tw[0], tw[1], tw[2], tw[3]) if tw is not None else None
    return (i["kode"], i["uraian"], i["satuan"], i["arah"], i["target"], triwulan, i["skala"])


def _unit(u: _UnitJson) -> UnitData:
    return UnitData(
        u["kode"],
        u["nama"],
        u["jenis"],
        u["kepala"],
        u["atasan"],
        tuple((s["uraian"], tuple(_indikator(i) for i in s["indikator"])) for s in u["sasaran"]),
        tuple((p["kode"], p["uraian"], p["anggaran"]) for p in u["program"]),
    )


_DATA: _DataJson = json.loads(
    resources.files("signer.example").joinpath(DATA_FILE).read_text(encoding="utf-8")
)

TAHUN: int = _DATA["tahun"]
INSTANSI: str = _DATA["instansi"]
KOP: tuple[str, ...] = tuple(_DATA["kop"])
TEMPAT: str = _DATA["tempat"]
_TANGGAL = dt.date.fromisoformat(_DATA["tanggal"])
TANGGAL: tuple[int, int, int] = (_TANGGAL.year, _TANGGAL.month, _TANGGAL.day)
ZONA_WAKTU: str = _DATA["zona_waktu"]
LOGO: str = _DATA["logo"]

PEJABAT: dict[str, tuple[str, str | None, str, str | None]] = {
    kode: (p["nama"], p["nip"], p["jabatan"], p["golongan"]) for kode, p in _DATA["pejabat"].items()
}

UNITS: tuple[UnitData, ...] = tuple(_unit(u) for u in _DATA["units"])
