"""The canonical JSON form of an agreement: what is embedded in each PDF and read years later.

Deterministic bytes: sorted keys, UTF-8, no insignificant whitespace, every key present (null where
empty), decimals as strings in plain notation, rupiah as integers, no floats anywhere. The
schema id and version travel inside the document; the JSON Schema ships with the package.
Reading is strict: duplicate keys, NaN, floats and anything the schema does not allow are refused.

Schema versions grow with the document kinds (:mod:`signer.kinds`) and with new fields: a
document carries the lowest version that can express it (its kind's ``since``, and the version
that introduced each field it uses), so documents that need nothing new stay readable by older
kinerja, and an agreement of a newer version is refused with a message that says to upgrade.
Version 1 is the published ``agreement-1.schema.json``; a later version is the same schema with
the kinds of that version (built here from the kind table, and tested against the published
file) and the additions of :data:`ADDITIONS` up to it.

Version 2 adds: the document's own number (``nomor``), for a revision the agreement it replaces
(``menggantikan``: its id and the SHA-256 of its embedded data), both always present (null where
empty); a null pihak kedua (a single-signer kind); unit jenis ``pemerintah-daerah``.

Version 3 adds the instansi's verification address (``instansi.verify_url``, always present,
null where empty; :mod:`signer.verify_url`): the QR code on every page then carries that address
and the verification code, instead of :func:`verification_payload`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import jsonschema

from signer import __version__
from signer.errors import InputError
from signer.kinds import JenisDokumen, schema_version
from signer.model import (
    PANGKAT_GOLONGAN,
    Agreement,
    Arah,
    Indikator,
    Instansi,
    JenisUnit,
    Nip,
    Peran,
    Pihak,
    Predikat,
    Program,
    Rentang,
    Rujukan,
    Sasaran,
    Target,
    Unit,
    ZonaWaktu,
)
from signer.verify_url import PANJANG_MAKS, qr_url

SCHEMA_ID = "urn:kinerja:agreement"
PUBLISHED_SCHEMA = "agreement-1.schema.json"


class CanonicalError(InputError):
    """Bytes that are not a valid canonical agreement."""


class NewerSchema(CanonicalError):
    """An agreement written by a newer kinerja, in a schema version this one does not know."""


def published_schema() -> dict[str, Any]:
    """The JSON Schema of version 1, as shipped in the package."""
    text = resources.files("signer").joinpath("data", PUBLISHED_SCHEMA).read_text("utf-8")
    return dict(json.loads(text))


FIELDS_SINCE = {"nomor": 2, "menggantikan": 2, "instansi.verify_url": 3}
"""The schema version that introduced each field added after version 1."""
SCHEMA_VERSION = max(schema_version(), *FIELDS_SINCE.values())
"""The newest version this kinerja reads and writes."""


def version_of(a: Agreement) -> int:
    """The schema version an agreement is written in: the lowest that can express it."""
    used = [FIELDS_SINCE["nomor"]] if a.nomor is not None else []
    if a.menggantikan is not None:
        used.append(FIELDS_SINCE["menggantikan"])
    if a.instansi.verify_url is not None:
        used.append(FIELDS_SINCE["instansi.verify_url"])
    return max([a.jenis.since, *used])


def _version_2(out: dict[str, Any]) -> None:
    properties = out["properties"]
    text_or_null = {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/text"}]}
    properties["nomor"] = text_or_null
    properties["menggantikan"] = {
        "oneOf": [
            {"type": "null"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "sha256"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z]+-[0-9]{4}-[a-z0-9]+(-[a-z0-9]+)*$"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                },
            },
        ]
    }
    out["required"] = [*out["required"], "nomor", "menggantikan"]
    # the kepala daerah's own PK: no pihak kedua, and the pemerintah daerah as its unit
    properties["pihak"]["properties"]["pihak-kedua"] = {
        "oneOf": [{"type": "null"}, {"$ref": "#/$defs/pihak"}]
    }
    unit_jenis = properties["unit"]["properties"]["jenis"]
    unit_jenis["enum"] = [*unit_jenis["enum"], "pemerintah-daerah"]


def _version_3(out: dict[str, Any]) -> None:
    instansi = out["properties"]["instansi"]
    # the canonical form (signer.verify_url.canonical) is checked when the model is built
    address = {
        "type": "string",
        "maxLength": PANJANG_MAKS,
        "pattern": "^https?://[!-~]+/$",
    }
    instansi["properties"]["verify_url"] = {"oneOf": [{"type": "null"}, address]}
    instansi["required"] = [*instansi["required"], "verify_url"]


ADDITIONS = {2: _version_2, 3: _version_3}
"""What each version after 1 adds to the one before (besides its kinds)."""


@cache
def schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The JSON Schema of ``version``: version 1's, with the kinds that ``version`` knows and
    the additions of every version up to it."""
    if not 1 <= version <= SCHEMA_VERSION:
        raise ValueError(f"no agreement schema version {version}")
    kinds = [k for k in JenisDokumen if k.since <= version]
    out = published_schema()
    for v in range(2, version + 1):
        ADDITIONS[v](out)
    out["$id"] = f"{SCHEMA_ID}:{version}"
    out["title"] = f"kinerja agreement, version {version}"
    properties = out["properties"]
    properties["schema_version"] = {"const": version}
    properties["jenis"] = {"enum": [k.value for k in kinds]}
    prefixes = "|".join(k.id_prefix for k in kinds)
    properties["id"] = {
        "type": "string",
        "pattern": f"^({prefixes})-[0-9]{{4}}-[a-z0-9]+(-[a-z0-9]+)*$",
    }
    return out


@cache
def _validator(version: int) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(version))


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
    version = version_of(a)
    instansi: dict[str, Any] = {
        "nama": a.instansi.nama,
        "kop": list(a.instansi.kop),
        "logo": a.instansi.logo,
    }
    if version >= FIELDS_SINCE["instansi.verify_url"]:
        instansi["verify_url"] = a.instansi.verify_url
    out = {
        "schema": SCHEMA_ID,
        "schema_version": version,
        "id": a.id,
        "jenis": a.jenis.value,
        "tahun": a.tahun,
        "perubahan": (
            {"ke": a.perubahan_ke, "alasan": a.alasan_perubahan} if a.perubahan_ke else None
        ),
        "instansi": instansi,
        "unit": {"kode": a.unit.kode, "nama": a.unit.nama, "jenis": a.unit.jenis.value},
        "tempat": a.tempat,
        "tanggal": a.tanggal.isoformat(),
        "zona_waktu": a.zona_waktu.value,
        "pihak": {
            Peran.PIHAK_PERTAMA.value: _pihak(a.pihak_pertama),
            Peran.PIHAK_KEDUA.value: _pihak(a.pihak_kedua) if a.pihak_kedua else None,
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
    if version >= FIELDS_SINCE["nomor"]:
        out["nomor"] = a.nomor
        out["menggantikan"] = (
            {"id": a.menggantikan.id, "sha256": a.menggantikan.sha256} if a.menggantikan else None
        )
    return out


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
    version = obj.get("schema_version") if isinstance(obj, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise NewerSchema(
            f"the agreement uses schema version {version}, from a newer kinerja; this kinerja "
            f"({__version__}) reads versions up to {SCHEMA_VERSION}: upgrade kinerja to read it"
        )
    if not (isinstance(version, int) and version >= 1):
        version = SCHEMA_VERSION
    errors = sorted(_validator(version).iter_errors(obj), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise CanonicalError(
            f"the agreement JSON does not match schema v{version} at {where}: {first.message}"
        )
    return dict(obj)


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
                verify_url=d["instansi"].get("verify_url"),
            ),
            unit=Unit(d["unit"]["kode"], d["unit"]["nama"], JenisUnit(d["unit"]["jenis"])),
            tempat=d["tempat"],
            tanggal=dt.date.fromisoformat(d["tanggal"]),
            zona_waktu=ZonaWaktu(d["zona_waktu"]),
            pihak_pertama=_pihak_from(d["pihak"][Peran.PIHAK_PERTAMA.value]),
            pihak_kedua=(
                _pihak_from(d["pihak"][Peran.PIHAK_KEDUA.value])
                if d["pihak"][Peran.PIHAK_KEDUA.value] is not None
                else None
            ),
            sasaran=tuple(
                Sasaran(s["uraian"], tuple(_indikator_from(i) for i in s["indikator"]))
                for s in d["sasaran"]
            ),
            program=tuple(Program(p["kode"], p["uraian"], p["anggaran"]) for p in d["program"]),
            perubahan_ke=perubahan["ke"] if perubahan else None,
            alasan_perubahan=perubahan["alasan"] if perubahan else None,
            nomor=d.get("nomor"),
            menggantikan=Rujukan(**d["menggantikan"]) if d.get("menggantikan") else None,
        )
    except CanonicalError:
        raise
    except (ValueError, TypeError) as e:
        raise CanonicalError(f"the agreement JSON is not a valid agreement: {e}") from None
    if version_of(a) != d["schema_version"]:
        # one agreement, one byte form: a version-2 document that needs nothing of version 2
        raise CanonicalError(
            f"schema version {d['schema_version']} for an agreement written in version "
            f"{version_of(a)}"
        )
    if a.id != d["id"] and not a.jenis.has_targets:
        # a Pakta Integritas of an official other than the unit's head names the official
        named = dataclasses.replace(a, id_pejabat=True)
        a = named if named.id == d["id"] else a
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
    return _from_json(bytes(data))


@lru_cache(maxsize=8)
def _from_json(data: bytes) -> Agreement:
    # a verification reads one document's embedded agreement four times (the file, its signed
    # revision, and the canonical check of each); the model is immutable, a failure not kept
    return from_dict(parse(data))


def is_canonical(data: bytes) -> bool:
    """True when ``data`` is exactly the canonical serialisation of the agreement it holds."""
    return to_json(from_json(data)) == data


QR_PREFIX = "kinerja"


def verification_payload(a: Agreement, sha256: str) -> str:
    """What the QR code carries without a verification address (and, with the role after it,
    each signature stamp's QR): the schema version, the document id and the SHA-256 of its
    embedded data."""
    return f"{QR_PREFIX}:{version_of(a)}:{a.id}:sha256:{sha256}"


def page_qr_payload(a: Agreement, sha256: str) -> str:
    """What the QR code on every page carries: the verification address followed by the code
    when the agreement has one (a phone opens the portal), else :func:`verification_payload`."""
    if a.instansi.verify_url is not None:
        return qr_url(a.instansi.verify_url, sha256)
    return verification_payload(a, sha256)
