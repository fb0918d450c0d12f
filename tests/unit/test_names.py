"""Names as certificates carry them: the gelar parser, the match of a holder to a party, the
warnings of `kinerja check`, and pins."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from signer.kinds import JenisDokumen
from signer.model import (
    Agreement,
    Arah,
    Ceremony,
    Indikator,
    Instansi,
    JenisUnit,
    Nip,
    Peran,
    Pihak,
    Sasaran,
    Unit,
    ZonaWaktu,
)
from signer.names import (
    NameMatch,
    NotIdentified,
    PartyPin,
    common_name,
    holder_names,
    identify,
    is_gelar_belakang,
    match_name,
    name_warnings,
    parse_name,
    plain_name,
)

# name as printed -> plain name (what a BSrE certificate carries)
PLAIN = [
    ("Dr. Rina Kartikasari, S.KM., M.Kes.", "Rina Kartikasari"),
    ("dr. Rina Kartikasari, Sp.A(K)", "Rina Kartikasari"),
    ("Ir. H. Ahmad Fauzi, M.T.", "Ahmad Fauzi"),
    ("Prof. Dr. Ir. H. Bambang Sutrisno, M.Sc., Ph.D.", "Bambang Sutrisno"),
    ("Drs. H. Arif Wicaksono, M.Si.", "Arif Wicaksono"),
    ("Hj. Siti Aminah, S.E., M.M.", "Siti Aminah"),
    ("Dra. Sri Wahyuni, M.Pd.", "Sri Wahyuni"),
    ("drg. Ni Luh Putu Ayu Lestari, M.Kes", "Ni Luh Putu Ayu Lestari"),
    ("drh. Yohanes Kurniawan", "Yohanes Kurniawan"),
    ("dr. Made Wirawan, Sp.THT-KL", "Made Wirawan"),
    ("dr. Ratna Sari Dewi, Sp.PD-KGEH, FINASIM", "Ratna Sari Dewi"),
    ("apt. Dewi Sartika, S.Farm.", "Dewi Sartika"),
    ("Ns. Yuliana Manurung, S.Kep.", "Yuliana Manurung"),
    ("Hendra Irawan, A.Md.Kep.", "Hendra Irawan"),
    ("K.H. Abdul Rahman, Lc., M.A.", "Abdul Rahman"),
    ("KH. Abdul Rahman", "Abdul Rahman"),
    ("Dr. (H.C.) Ir. H. Joko Susilo", "Joko Susilo"),
    ("Plt. Drs. Budi Santoso, M.AP", "Budi Santoso"),
    ("Ir. Slamet Riyadi, S.T., M.Eng., IPU, ASEAN Eng.", "Slamet Riyadi"),
    ("Drs. Yusran Hadi, M.Si., Ak., CA., QIA., CGAP", "Yusran Hadi"),
    ("Pdt. Markus Sitompul, S.Th.", "Markus Sitompul"),
    # without dots, without spaces, in capitals
    ("Prof.Dr.H.Ahmad Rifai,S.H.,M.Hum.", "Ahmad Rifai"),
    ("DR.IR.H.AHMAD FAUZI,MT", "AHMAD FAUZI"),
    ("Hj.Siti Aminah,SE.,MM", "Siti Aminah"),
    ("Drs Ahmad Syukri", "Ahmad Syukri"),
    ("Ir Hendra Gunawan", "Hendra Gunawan"),
    # without the comma: only what is clearly a degree is cut
    ("H Ahmad Fauzi SE MM", "Ahmad Fauzi"),
    ("Ahmad Fauzi S.E. M.Si", "Ahmad Fauzi"),
    # nobility and adat names, and names that begin like a title, are kept
    ("Andi Muhammad Yusuf, S.STP., M.Si.", "Andi Muhammad Yusuf"),
    ("R. Soeprapto, S.H.", "R. Soeprapto"),
    ("Teuku Muhammad Nasir, S.T., M.T., IPM", "Teuku Muhammad Nasir"),
    ("I Gusti Ngurah Rai Wirawan", "I Gusti Ngurah Rai Wirawan"),
    ("Irawan Hendrawan", "Irawan Hendrawan"),
    ("Hendra Drajat", "Hendra Drajat"),
    ("Nyoman Sudarsana", "Nyoman Sudarsana"),
    ("Ahmad Ma", "Ahmad Ma"),
    ("Prawira Siregar", "Prawira Siregar"),
    # only gelar: nothing is left
    ("Dr.", ""),
]


@pytest.mark.parametrize(("printed", "plain"), PLAIN)
def test_plain_name(printed: str, plain: str) -> None:
    assert plain_name(printed) == plain


def test_parts_are_kept_in_order() -> None:
    parsed = parse_name("Prof. Dr. Ir. H. Bambang Sutrisno, M.Sc., Ph.D.")
    assert parsed.depan == ("Prof.", "Dr.", "Ir.", "H.")
    assert parsed.belakang == ("M.Sc.", "Ph.D.")
    assert parsed.unknown == ()
    assert parse_name("Budi, Santoso").unknown == ("Santoso",)


@pytest.mark.parametrize(
    "degree",
    ["S.E.", "SE", "M.Si.", "M.A.P.", "S.Tr.Kes.", "Sp.OG", "Sp.A(K)", "A.Md.", "Ph.D", "LL.M."],
)
def test_degrees_are_known(degree: str) -> None:
    assert is_gelar_belakang(degree)


@pytest.mark.parametrize("word", ["Santoso", "Wibowo", "Siregar", ""])
def test_names_are_not_degrees(word: str) -> None:
    assert not is_gelar_belakang(word)


def test_match_by_plain_name_and_exact() -> None:
    printed = "Dr. Rina Kartikasari, S.KM., M.Kes."
    assert match_name("RINA KARTIKASARI", printed) is NameMatch.PLAIN
    assert match_name("Rina  Kartikasari", printed) is NameMatch.PLAIN
    assert match_name("rinakartikasari", printed) is NameMatch.PLAIN, "spacing does not matter"
    assert match_name("Dr. Rina Kartikasari, S.KM., M.Kes.", printed) is NameMatch.EXACT
    assert match_name("DR. RINA KARTIKASARI, S.KM., M.KES.", printed) is NameMatch.EXACT
    assert match_name("Rina Kartika", printed) is None
    assert match_name("Rina Kartikasari Putri", printed) is None
    assert match_name("", "Dr.") is None, "an empty plain name matches nothing"
    assert match_name("Dr.", "Dr.") is None


def test_a_physician_is_not_a_doctor_of_philosophy_but_the_same_person() -> None:
    # "dr." and "Dr." are different gelar, so the name is not exactly the one printed; both
    # are gelar, and a certificate identifies its holder by the name without them
    assert match_name("Dr. Rina Kartikasari, M.Kes.", "dr. Rina Kartikasari, M.Kes.") is (
        NameMatch.PLAIN
    )
    assert match_name("dr. Rina Kartikasari, M.Kes.", "dr.  Rina Kartikasari,M.Kes.") is (
        NameMatch.EXACT
    )


def test_holder_names_prefer_the_registered_name() -> None:
    long = "Raden Mas Muhammad Abdurrahman Wahyu Kusumaningrat Hadiningrat Prawirodirdjo"
    subject = {"common_name": common_name(long), "given_name": long, "country_name": "ID"}
    assert holder_names(subject) == (long, common_name(long))
    assert holder_names({"common_name": "Rina Kartikasari"}) == ("Rina Kartikasari",)
    assert holder_names({"given_name": "Rina", "surname": "Kartikasari"}) == ("Rina Kartikasari",)


def test_common_name_fits_64_characters_without_losing_the_last_name() -> None:
    long = "Raden Mas Muhammad Abdurrahman Wahyu Kusumaningrat Hadiningrat Prawirodirdjo"
    assert len(long) > 64
    short = common_name(long)
    assert len(short) <= 64
    assert short.startswith("Raden Mas") and short.endswith("Prawirodirdjo")
    assert common_name("Rina Kartikasari") == "Rina Kartikasari"


# ---- documents: who is who -----------------------------------------------------------------

INSTANSI = Instansi("Pemerintah Kota Contoh")
RINA_DR = Pihak(
    "dr. Rina Kartikasari, M.Kes.", "Kepala Dinas Kesehatan", Nip("197802262003122002"), "IV/b"
)
RINA_PHD = Pihak(
    "Dr. Rina Kartikasari, S.KM., M.Si.", "Sekretaris Daerah", Nip("197011031995032001"), "IV/d"
)
WALI = Pihak("H. Bambang Sutrisno, S.E., M.M.", "Wali Kota Contoh")


def agreement(pertama: Pihak, kedua: Pihak, kode: str = "DINKES") -> Agreement:
    return Agreement(
        jenis=JenisDokumen.PERJANJIAN_KINERJA,
        tahun=2026,
        instansi=INSTANSI,
        unit=Unit(kode, f"Unit {kode}", JenisUnit.DINAS),
        tempat="Kota Contoh",
        tanggal=dt.date(2026, 1, 15),
        zona_waktu=ZonaWaktu.WIB,
        pihak_pertama=pertama,
        pihak_kedua=kedua,
        sasaran=(
            Sasaran(
                "Meningkatnya derajat kesehatan",
                (Indikator("IKU-1", "Angka harapan hidup", "Tahun", Arah.NAIK, Decimal("72")),),
            ),
        ),
    )


SHA_A, SHA_B = "a" * 64, "b" * 64


def test_identify_says_how() -> None:
    a = agreement(RINA_DR, WALI)
    found = identify(a, Peran.PIHAK_PERTAMA, ("RINA KARTIKASARI",), SHA_A)
    assert found.how is NameMatch.PLAIN
    assert found.describe() == (
        "certificate name 'RINA KARTIKASARI' = pihak pertama 'dr. Rina Kartikasari, M.Kes.' "
        "without gelar"
    )
    assert found.as_dict()["plain_name"] == "Rina Kartikasari"
    exact = identify(a, Peran.PIHAK_KEDUA, ("H. Bambang Sutrisno, S.E., M.M.",), SHA_A)
    assert exact.how is NameMatch.EXACT and "(exact name)" in exact.describe()
    with pytest.raises(NotIdentified, match="belongs to 'Arif Wicaksono'") as e:
        identify(a, Peran.PIHAK_KEDUA, ("Arif Wicaksono",), SHA_A)
    assert not e.value.ambiguous


def test_two_parties_with_one_plain_name_need_a_pin() -> None:
    a = agreement(RINA_DR, RINA_PHD)
    for role in Peran:
        with pytest.raises(NotIdentified, match="share the plain name 'Rina Kartikasari'") as e:
            identify(a, role, ("Rina Kartikasari",), SHA_A)
        assert e.value.ambiguous
    by_nip = PartyPin("1978 0226 2003 12 2 002", SHA_A)
    by_role = PartyPin("pihak-kedua", SHA_B)
    first = identify(a, Peran.PIHAK_PERTAMA, ("Rina Kartikasari",), SHA_A, [by_nip, by_role])
    assert first.how is NameMatch.PINNED
    second = identify(a, Peran.PIHAK_KEDUA, ("Rina Kartikasari",), SHA_B, [by_nip, by_role])
    assert second.how is NameMatch.PINNED
    # the other one's certificate is refused, not ambiguous: the pin says whose it is
    with pytest.raises(NotIdentified, match="not the one pinned") as e:
        identify(a, Peran.PIHAK_KEDUA, ("Rina Kartikasari",), SHA_A, [by_nip, by_role])
    assert not e.value.ambiguous
    # a pin does not make another person's certificate the party's
    with pytest.raises(NotIdentified, match="belongs to"):
        identify(a, Peran.PIHAK_PERTAMA, ("Arif Wicaksono",), SHA_A, [by_nip])


def test_a_pin_by_name_is_the_name_as_printed() -> None:
    pin = PartyPin("DR. RINA KARTIKASARI, S.KM., M.SI.", SHA_A)
    assert pin.applies_to(Peran.PIHAK_KEDUA, RINA_PHD)
    assert not pin.applies_to(Peran.PIHAK_PERTAMA, RINA_DR)
    assert not PartyPin("pihak-pertama", SHA_A).applies_to(Peran.PIHAK_KEDUA, RINA_PHD)


def test_check_warnings() -> None:
    nobody = Pihak("Dr.", "Kepala Bagian Umum", Nip("198001012005011003"), "IV/a")
    typo = Pihak("Budi, Santoso", "Camat Utara", Nip("198502142010011004"), "III/d")
    namesake = replace(RINA_DR, nip=Nip("198807092012122001"), jabatan="Camat Selatan")
    ceremony = Ceremony(
        INSTANSI,
        2026,
        (
            agreement(RINA_DR, RINA_PHD, "DINKES"),
            agreement(nobody, WALI, "BAGUM"),
            agreement(typo, WALI, "KEC-UTARA"),
            agreement(namesake, WALI, "KEC-SELATAN"),
        ),
    )
    warnings = name_warnings(ceremony)
    assert any(
        w.startswith(
            "pk-2026-dinkes: pihak pertama 'dr. Rina Kartikasari, M.Kes.' and pihak "
            "kedua 'Dr. Rina Kartikasari, S.KM., M.Si.' share the plain name"
        )
        for w in warnings
    )
    assert any("Pejabat 'Dr.': nothing is left" in w for w in warnings)
    assert any("'Santoso' after the comma is not a gelar" in w for w in warnings)
    assert any("are different people with the plain name 'Rina Kartikasari'" in w for w in warnings)
    assert len(warnings) == 4
    clean = Ceremony(INSTANSI, 2026, (agreement(RINA_DR, WALI),))
    assert name_warnings(clean) == []


def test_kinerja_check_warns_and_exits_0(workspace: Path) -> None:
    import json

    from openpyxl import load_workbook

    from tests.conftest import edit_workbook, run_kinerja

    book = workspace / "kinerja.xlsx"
    rows = {c.value: c.row for c in load_workbook(book)["Pejabat"]["A"]}
    # the wali kota happens to share the kepala dinas kesehatan's plain name
    edit_workbook(book, {("Pejabat", f"B{rows['KDH']}"): "Prof. Dr. Rina Kartikasari, M.Si."})
    result = run_kinerja("check", str(book))
    assert result.returncode == 0, result.stderr
    assert "warning: pk-2026-dinkes: pihak pertama 'dr. Rina Kartikasari, M.Kes.' and " in (
        result.stdout
    )
    assert "share the plain name 'Rina Kartikasari'" in result.stdout
    assert "no problems, " in result.stdout and " warnings" in result.stdout
    as_json = run_kinerja("check", str(book), "--json")
    assert as_json.returncode == 0
    doc = json.loads(as_json.stdout)
    assert any(w["text"].startswith("pk-2026-dinkes: pihak pertama") for w in doc["warnings"])
    assert {a["id"] for a in doc["agreements"]} >= {"pk-2026-dinkes"}
