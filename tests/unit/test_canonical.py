"""The canonical JSON: deterministic bytes, shipped schema, lossless round trip, strict reads."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import pytest

from signer import canonical
from signer.canonical import CanonicalError, decimal_text
from signer.example.workspace import ceremony
from signer.kinds import JenisDokumen


@pytest.fixture(scope="module")
def agreements():  # type: ignore[no-untyped-def]
    return ceremony().agreements


def test_every_example_agreement_round_trips_and_validates(agreements) -> None:  # type: ignore[no-untyped-def]
    for a in agreements:
        data = canonical.to_json(a)
        # each in the lowest version that expresses it, and valid in that version's schema
        version = canonical.version_of(a)
        jsonschema.Draft202012Validator(canonical.schema(version)).validate(json.loads(data))
        assert canonical.from_json(data) == a
        assert canonical.to_json(canonical.from_json(data)) == data


def test_bytes_are_deterministic_and_sorted(agreements) -> None:  # type: ignore[no-untyped-def]
    a = agreements[0]
    data = canonical.to_json(a)
    assert data == canonical.to_json(ceremony().agreements[0])
    obj = json.loads(data)
    assert list(obj) == sorted(obj)
    assert b" " not in data.split(b'"')[0]
    assert obj["schema"] == canonical.SCHEMA_ID
    assert obj["schema_version"] == canonical.version_of(a) == 1  # a PK needs nothing newer
    assert canonical.digest(data) == canonical.digest(bytes(data))
    assert len(canonical.digest(data)) == 64


def test_no_floats_anywhere(agreements) -> None:  # type: ignore[no-untyped-def]
    def walk(x):  # type: ignore[no-untyped-def]
        assert not isinstance(x, float)
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for a in agreements:
        walk(json.loads(canonical.to_json(a)))


def test_utf8_not_escaped() -> None:
    a = ceremony().agreements[0]
    from dataclasses import replace

    b = replace(a, tempat="Kota Contoh – Pusat")
    assert "–".encode() in canonical.to_json(b)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("75.50", "75.5"),
        ("1E+2", "100"),
        ("0.000", "0"),
        ("-0", "0"),
        ("12", "12"),
        ("0.25", "0.25"),
        ("1250000000000", "1250000000000"),
    ],
)
def test_decimal_text(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text


def _mutated(agreements, change) -> bytes:  # type: ignore[no-untyped-def]
    pk = next(a for a in agreements if a.jenis is JenisDokumen.PERJANJIAN_KINERJA)
    obj = json.loads(canonical.to_json(pk))
    change(obj)
    return canonical.dumps(obj)


def test_strict_reading(agreements) -> None:  # type: ignore[no-untyped-def]
    good = canonical.to_json(agreements[0])
    with pytest.raises(CanonicalError, match="duplicate key"):
        canonical.from_json(good[:-1] + b',"tahun":2026}')
    with pytest.raises(CanonicalError, match="decimals are written as strings"):
        canonical.from_json(good.replace(b'"tahun":2026', b'"tahun":2026.0'))
    with pytest.raises(CanonicalError, match="not allowed"):
        canonical.from_json(good.replace(b'"tahun":2026', b'"tahun":NaN'))
    with pytest.raises(CanonicalError, match="malformed"):
        canonical.from_json(good[:-5])
    with pytest.raises(CanonicalError, match="UTF-8"):
        canonical.from_json(b"\xff" + good)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.update(schema_version=2), "schema"),
        (lambda o: o.update(extra=1), "schema"),
        (lambda o: o.update(jumlah_anggaran=o["jumlah_anggaran"] + 1), "not the sum"),
        (lambda o: o.update(id="pk-2026-lain"), "does not match"),
        (lambda o: o["pihak"]["pihak-pertama"].update(nip="123"), "schema"),
        (lambda o: o["pihak"]["pihak-pertama"].update(nip="197405122001123003"), "sex digit"),
        (lambda o: o["pihak"]["pihak-pertama"].update(pangkat="Juru"), "does not belong"),
        (lambda o: o["sasaran"][0]["indikator"][0]["target"].update(nilai="1e5"), "schema"),
        (lambda o: o["sasaran"][0]["indikator"][0].update(arah="rentang"), "needs a Rentang"),
    ],
)
def test_invalid_agreements_are_refused(agreements, change, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CanonicalError, match=message):
        canonical.from_json(_mutated(agreements, change))


def test_non_canonical_bytes_are_detected(agreements) -> None:  # type: ignore[no-untyped-def]
    data = canonical.to_json(agreements[0])
    pretty = json.dumps(json.loads(data), indent=2, ensure_ascii=False).encode()
    assert canonical.from_json(pretty) == agreements[0]
    assert canonical.is_canonical(data)
    assert not canonical.is_canonical(pretty)


def test_schema_ships_inside_the_package() -> None:
    from importlib import resources

    text = resources.files("signer").joinpath("data", canonical.PUBLISHED_SCHEMA).read_text()
    assert json.loads(text)["$id"] == f"{canonical.SCHEMA_ID}:1"


def test_published_schema_is_the_kind_table_of_version_1() -> None:
    # the shipped file and the kind table cannot drift apart
    assert canonical.schema(1) == canonical.published_schema()


def test_agreement_of_a_newer_schema_version_says_to_upgrade(agreements) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(canonical.to_json(agreements[0]))
    data["schema_version"] = canonical.SCHEMA_VERSION + 1
    data["jenis"] = "kontrak-kinerja"  # a kind this kinerja does not know yet
    with pytest.raises(canonical.NewerSchema, match="upgrade kinerja"):
        canonical.from_json(canonical.dumps(data))


def test_unknown_kind_in_a_known_version_is_a_schema_error(agreements) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(canonical.to_json(agreements[0]))
    data["jenis"] = "kontrak-kinerja"
    with pytest.raises(CanonicalError, match="jenis") as e:
        canonical.from_json(canonical.dumps(data))
    assert not isinstance(e.value, canonical.NewerSchema)


def test_a_document_carries_the_version_of_its_kind(agreements) -> None:  # type: ignore[no-untyped-def]
    for a in agreements:
        assert json.loads(canonical.to_json(a))["schema_version"] == a.jenis.since


def test_version_2_fields_round_trip_and_a_version_1_document_still_reads(agreements) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from signer.kinds import JenisDokumen
    from signer.model import JenisUnit, Rujukan, Unit

    pk = agreements[0]
    v1 = canonical.to_json(pk)
    assert json.loads(v1)["schema_version"] == 1 and b"menggantikan" not in v1
    assert canonical.from_json(v1) == pk  # an agreement written before version 2 reads as ever
    revision = replace(
        pk,
        jenis=JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
        perubahan_ke=1,
        alasan_perubahan="pergantian pejabat",
        nomor="800/045/DINKES/2026",
        menggantikan=Rujukan(pk.id, canonical.digest(v1)),
    )
    data = canonical.to_json(revision)
    obj = json.loads(data)
    assert obj["schema_version"] == 2
    assert obj["menggantikan"] == {"id": pk.id, "sha256": canonical.digest(v1)}
    assert canonical.from_json(data) == revision
    # version 1 cannot hold the new fields: refused, not silently dropped
    with pytest.raises(canonical.CanonicalError, match="schema v1"):
        canonical.from_json(canonical.dumps({**obj, "schema_version": 1}))
    # a version-2 label on a document that needs nothing of version 2 is not canonical
    plain = json.loads(v1) | {"schema_version": 2, "nomor": None, "menggantikan": None}
    with pytest.raises(canonical.CanonicalError, match="written in version 1"):
        canonical.from_json(canonical.dumps(plain))
    kepala_daerah = next(p for a in agreements for p in a.pihak_semua if p.kepala_daerah)
    kd = replace(
        pk,
        jenis=JenisDokumen.PERJANJIAN_KINERJA_KEPALA_DAERAH,
        unit=Unit("KOTA", pk.instansi.nama, JenisUnit.PEMERINTAH_DAERAH),
        pihak_pertama=kepala_daerah,
        pihak_kedua=None,
    )
    data = canonical.to_json(kd)
    assert json.loads(data)["pihak"]["pihak-kedua"] is None
    assert canonical.from_json(data) == kd and kd.id == "pkd-2026-kota"
    assert kd.peran == (canonical.Peran.PIHAK_PERTAMA,)


def test_reading_the_same_bytes_again_gives_the_same_agreement_and_the_same_refusal(
    agreements,  # type: ignore[no-untyped-def]
) -> None:
    data = canonical.to_json(agreements[0])
    first = canonical.from_json(data)
    assert canonical.from_json(bytearray(data)) is first  # remembered: parsed once per document
    assert canonical.from_json(canonical.to_json(agreements[1])) == agreements[1]
    broken = data.replace(b'"jenis"', b'"jenis", "jenis"', 1)
    for _ in range(2):  # a refusal is never remembered as an answer
        with pytest.raises(CanonicalError):
            canonical.from_json(broken)
