"""The canonical JSON form of an agreement: what is embedded in each PDF and read years later.

Deterministic bytes: sorted keys, UTF-8, no insignificant whitespace, every key present (null where
empty), decimals as strings in plain notation, rupiah as integers, no floats anywhere. The
schema id and version travel inside the document; the JSON Schema ships with the package.
Reading is strict: duplicate keys, NaN, floats and anything the schema does not allow are refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from .errors import InputError
from .model import (
    PANGKAT_GOLONGAN,
    Agreement,
    Arah,
    Indikator,
    Instansi,
    JenisDokumen,
    JenisUnit,
    Nip,
    Peran,
    Pihak,
    Predikat,
    Program,
    Rentang,
    Sasaran,
    Target,
    Unit,
    ZonaWaktu,
)

SCHEMA_ID = "urn:kinerja:agreement"
SCHEMA_VERSION = 1
SCHEMA_FILE = f"agreement-{SCHEMA_VERSION}.schema.json"
MEDIA_TYPE = "application/json"


class CanonicalError(InputError):
    """Bytes that are not a valid canonical agreement."""


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the current version, as shipped in the package."""
    text = resources.files("signer").joinpath("data", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def schema_path() -> str:
    return str(resources.files("signer").joinpath("data", SCHEMA_FILE))


def decimal_text(d: Decimal) -> str:
    """Plain notation, no trailing zeros: Decimal('75.50') -> '75.5', Decimal('1E+2') -> '100'."""
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def _target(t: Target) -> dict[str, str]:
    if isinstance(t, Rentang):
        return {"bawah": decimal_text(t.bawah), "atas": decimal_text(t.atas)}
    if isinstance(t, Predikat):
        return {"predikat": t.nilai}
    return {"nilai": decimal_text(t)}


def _pihak(p: Pihak) -> dict[str, Any]:
    return {
        "nama": p.nama,
        "jabatan": p.jabatan,
        "nip": str(p.nip) if p.nip else None,
        "golongan": p.golongan,
        "pangkat": p.pangkat,
    }


def _indikator(i: Indikator) -> dict[str, Any]:
    return {
        "kode": i.kode,
        "uraian": i.uraian,
        "satuan": i.satuan,
        "arah": i.arah.value,
        "target": _target(i.target),
        "target_triwulan": [_target(t) for t in i.target_triwulan] if i.target_triwulan else None,
        "skala": {"nama": i.skala_nama, "urutan": list(i.skala)} if i.skala else None,
    }


def to_dict(a: Agreement) -> dict[str, Any]:
    """The agreement as plain JSON data (the canonical structure, before serialisation)."""
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "id": a.id,
        "jenis": a.jenis.value,
        "tahun": a.tahun,
        "perubahan": (
            {"ke": a.perubahan_ke, "alasan": a.alasan_perubahan} if a.perubahan_ke else None
        ),
        "instansi": {"nama": a.instansi.nama, "kop": list(a.instansi.kop), "logo": a.instansi.logo},
        "unit": {"kode": a.unit.kode, "nama": a.unit.nama, "jenis": a.unit.jenis.value},
        "tempat": a.tempat,
        "tanggal": a.tanggal.isoformat(),
        "zona_waktu": a.zona_waktu.value,
        "pihak": {
            Peran.PIHAK_PERTAMA.value: _pihak(a.pihak_pertama),
            Peran.PIHAK_KEDUA.value: _pihak(a.pihak_kedua),
        },
        "sasaran": [
            {"uraian": s.uraian, "indikator": [_indikator(i) for i in s.indikator]}
            for s in a.sasaran
        ],
        "program": [
            {"kode": p.kode, "uraian": p.uraian, "anggaran": p.anggaran} for p in a.program
        ],
        "jumlah_anggaran": a.jumlah_anggaran,
    }


def dumps(data: dict[str, Any]) -> bytes:
    """Serialise JSON data deterministically (the canonical byte form)."""
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def to_json(a: Agreement) -> bytes:
    """The canonical bytes of an agreement."""
    return dumps(to_dict(a))


def digest(data: bytes) -> str:
    """SHA-256 of the canonical bytes, lowercase hex: the verification code printed on the pages."""
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise CanonicalError(f"duplicate key {k!r} in the agreement JSON")
        out[k] = v
    return out


def _no_float(text: str) -> Any:
    raise CanonicalError(f"number {text} in the agreement JSON: decimals are written as strings")


def _no_constant(text: str) -> Any:
    raise CanonicalError(f"{text} is not allowed in the agreement JSON")


def parse(data: bytes) -> dict[str, Any]:
    """Strictly parse and schema-check agreement JSON; return the plain data."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CanonicalError(f"the agreement JSON is not UTF-8 (byte {e.start})") from None
    try:
        obj = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as e:
        raise CanonicalError(f"the agreement JSON is malformed: {e.msg} at char {e.pos}") from None
    errors = sorted(_validator().iter_errors(obj), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise CanonicalError(
            f"the agreement JSON does not match schema v{SCHEMA_VERSION} at {where}: "
            f"{first.message}"
        )
    return obj


def _dec(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CanonicalError(f"{text!r} is not a decimal number") from None


def _target_from(d: dict[str, str]) -> Target:
    if "bawah" in d:
        return Rentang(_dec(d["bawah"]), _dec(d["atas"]))
    if "predikat" in d:
        return Predikat(d["predikat"])
    return _dec(d["nilai"])


def _pihak_from(d: dict[str, Any]) -> Pihak:
    golongan = d["golongan"]
    if golongan is not None and d["pangkat"] != PANGKAT_GOLONGAN.get(golongan):
        raise CanonicalError(f"pangkat {d['pangkat']!r} does not belong to golongan {golongan}")
    return Pihak(
        nama=d["nama"],
        jabatan=d["jabatan"],
        nip=Nip(d["nip"]) if d["nip"] is not None else None,
        golongan=golongan,
    )


def _indikator_from(d: dict[str, Any]) -> Indikator:
    tw = d["target_triwulan"]
    skala = d["skala"]
    return Indikator(
        kode=d["kode"],
        uraian=d["uraian"],
        satuan=d["satuan"],
        arah=Arah(d["arah"]),
        target=_target_from(d["target"]),
        target_triwulan=tuple(_target_from(t) for t in tw) if tw else None,  # type: ignore[arg-type]
        skala=tuple(skala["urutan"]) if skala else None,
        skala_nama=skala["nama"] if skala else None,
    )


def from_dict(d: dict[str, Any]) -> Agreement:
    """Build the model from schema-valid data; refuse data whose derived fields disagree."""
    try:
        perubahan = d["perubahan"]
        a = Agreement(
            jenis=JenisDokumen(d["jenis"]),
            tahun=d["tahun"],
            instansi=Instansi(
                nama=d["instansi"]["nama"],
                kop=tuple(d["instansi"]["kop"]),
                logo=d["instansi"]["logo"],
            ),
            unit=Unit(d["unit"]["kode"], d["unit"]["nama"], JenisUnit(d["unit"]["jenis"])),
            tempat=d["tempat"],
            tanggal=dt.date.fromisoformat(d["tanggal"]),
            zona_waktu=ZonaWaktu(d["zona_waktu"]),
            pihak_pertama=_pihak_from(d["pihak"][Peran.PIHAK_PERTAMA.value]),
            pihak_kedua=_pihak_from(d["pihak"][Peran.PIHAK_KEDUA.value]),
            sasaran=tuple(
                Sasaran(s["uraian"], tuple(_indikator_from(i) for i in s["indikator"]))
                for s in d["sasaran"]
            ),
            program=tuple(Program(p["kode"], p["uraian"], p["anggaran"]) for p in d["program"]),
            perubahan_ke=perubahan["ke"] if perubahan else None,
            alasan_perubahan=perubahan["alasan"] if perubahan else None,
        )
    except CanonicalError:
        raise
    except (ValueError, TypeError) as e:
        raise CanonicalError(f"the agreement JSON is not a valid agreement: {e}") from None
    if a.id != d["id"]:
        raise CanonicalError(f"id {d['id']!r} does not match the agreement ({a.id!r})")
    if a.jumlah_anggaran != d["jumlah_anggaran"]:
        raise CanonicalError(
            f"jumlah_anggaran {d['jumlah_anggaran']} is not the sum of the programs "
            f"({a.jumlah_anggaran})"
        )
    return a


def from_json(data: bytes) -> Agreement:
    """Parse canonical agreement bytes back into the model (the inverse of :func:`to_json`)."""
    return from_dict(parse(data))


def is_canonical(data: bytes) -> bool:
    """True when ``data`` is exactly the canonical serialisation of the agreement it holds."""
    return to_json(from_json(data)) == data
