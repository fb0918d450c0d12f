"""The example ceremony of the fictional "Pemerintah Kota Contoh".

Every person here is invented; every NIP passes validation but belongs to nobody. The indicators
follow real Perjanjian Kinerja practice (see notes/domain.md §1.5). Data only: ``example.py``
turns it into the model and the workbooks.

Shapes:
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

from typing import NamedTuple

TAHUN = 2026
INSTANSI = "Pemerintah Kota Contoh"
KOP = (
    "Jalan Merdeka Nomor 1, Kota Contoh 40111",
    "Telepon (022) 555-0100, Laman www.kotacontoh.example",
)
TEMPAT = "Kota Contoh"
TANGGAL = (2026, 1, 15)
ZONA_WAKTU = "WIB"
LOGO = "logo.png"

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


PEJABAT: dict[str, tuple[str, str | None, str, str | None]] = {
    "KDH": ("H. Arif Wicaksono, S.E., M.Si.", None, "Wali Kota Contoh", None),
    "KA-SETDA": (
        "Dr. Bambang Setyadi Nugroho, S.H., M.Si.",
        "197003151995031002",
        "Sekretaris Daerah Kota Contoh",
        "IV/d",
    ),
    "KA-DINKES": (
        "dr. Rina Kartikasari, M.Kes.",
        "197405122001122003",
        "Kepala Dinas Kesehatan Kota Contoh",
        "IV/c",
    ),
    "KA-INSPEKTORAT": (
        "Drs. Hendra Gunawan Saputra, M.M., Ak.",
        "196909201994031005",
        "Inspektur Kota Contoh",
        "IV/c",
    ),
    "KA-KEC-UTARA": (
        "Yusuf Maulana Hakim, S.STP., M.Si.",
        "198207142001121001",
        "Camat Contoh Utara",
        "IV/a",
    ),
}

UNITS: tuple[UnitData, ...] = (
    UnitData(
        "SETDA",
        "Sekretariat Daerah",
        "sekretariat",
        "KA-SETDA",
        "KDH",
        (
            (
                "Meningkatnya akuntabilitas kinerja dan keuangan pemerintah daerah",
                (
                    ("SETDA.01", "Opini BPK atas Laporan Keuangan Pemerintah Daerah", "Predikat",
                     "predikat", "WTP", None, "Opini BPK"),
                    ("SETDA.02", "Nilai SAKIP Pemerintah Kota", "Predikat", "predikat", "BB", None,
                     "Nilai SAKIP"),
                    ("SETDA.03", "Indeks Reformasi Birokrasi", "Indeks", "naik", "72.5", None, None),
                ),
            ),
        ),
        (
            ("4.01.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
             38_750_000_000),
            ("4.01.02", "Program Pemerintahan dan Kesejahteraan Rakyat", 4_125_500_000),
        ),
    ),
    UnitData(
        "INSPEKTORAT",
        "Inspektorat Daerah",
        "inspektorat",
        "KA-INSPEKTORAT",
        "KDH",
        (
            (
                "Meningkatnya kualitas pengawasan internal",
                (
                    ("INSP.01", "Level Kapabilitas APIP", "Level", "naik", "3", None, None),
                    ("INSP.02", "Persentase temuan BPK yang ditindaklanjuti", "%", "naik", "90",
                     ("60", "70", "80", "90"), None),
                    ("INSP.03", "Persentase temuan berulang hasil pengawasan", "%", "turun", "5",
                     None, None),
                ),
            ),
        ),
        (
            ("6.01.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
             9_870_000_000),
            ("6.01.02", "Program Penyelenggaraan Pengawasan", 3_450_000_000),
        ),
    ),
    UnitData(
        "DINKES",
        "Dinas Kesehatan",
        "dinas",
        "KA-DINKES",
        "KDH",
        (
            (
                "Meningkatnya derajat kesehatan masyarakat",
                (
                    ("DINKES.01", "Angka Kematian Ibu", "per 100.000 KH", "turun", "85",
                     ("95", "92", "88", "85"), None),
                    ("DINKES.02", "Angka Kematian Bayi", "per 1.000 KH", "turun", "7.5", None,
                     None),
                    ("DINKES.03", "Prevalensi stunting pada balita", "%", "turun", "14", None,
                     None),
                ),
            ),
            (
                "Meningkatnya mutu pelayanan kesehatan",
                (
                    ("DINKES.04", "Indeks Kepuasan Masyarakat terhadap layanan puskesmas",
                     "Indeks", "rentang", "82-88", None, None),
                    ("DINKES.05", "Persentase puskesmas terakreditasi paripurna", "%", "naik",
                     "60", ("15", "30", "45", "60"), None),
                ),
            ),
        ),
        (
            ("1.02.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
             112_480_250_000),
            ("1.02.02",
             "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
             48_500_000_000),
            ("1.02.03", "Program Peningkatan Kapasitas Sumber Daya Manusia Kesehatan",
             2_375_000_000),
        ),
    ),
    UnitData(
        "KEC-UTARA",
        "Kecamatan Contoh Utara",
        "kecamatan",
        "KA-KEC-UTARA",
        "KDH",
        (
            (
                "Meningkatnya kualitas pelayanan publik di kecamatan",
                (
                    ("KECUT.01", "Indeks Kepuasan Masyarakat terhadap PATEN", "Indeks", "naik",
                     "85", None, None),
                    ("KECUT.02",
                     "Persentase kelurahan yang melaksanakan tata kelola pemerintahan dengan baik",
                     "%", "naik", "100", ("25", "50", "75", "100"), None),
                ),
            ),
        ),
        (
            ("7.01.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
             4_210_000_000),
            ("7.01.02", "Program Penyelenggaraan Pemerintahan dan Pelayanan Publik",
             1_180_000_000),
        ),
    ),
)
