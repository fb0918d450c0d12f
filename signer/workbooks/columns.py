"""The sheet and column names of kinerja's workbooks, and their shared header style.

The ceremony workbook and the realisasi workbook use the same words for the same things (Kode
Unit, Indikator Kinerja, Target, ...); both read and write them from here.
"""

from __future__ import annotations

from openpyxl.styles import Font, PatternFill

# Sheet names (the ceremony workbook; Petunjuk also opens the realisasi workbook)
PETUNJUK = "Petunjuk"
INSTANSI = "Instansi"
PEJABAT = "Pejabat"
UNIT = "Unit"
INDIKATOR = "Indikator"
PROGRAM = "Program"
PAKTA = "Pakta Integritas"
DAFTAR = "Daftar"
# Instansi keys (column A) and what they hold (column B)
K_NAMA = "Pemerintah Daerah"
K_KOP = "Kop Baris"  # "Kop Baris 1", "Kop Baris 2", ...
K_LOGO = "Logo"
K_TAHUN = "Tahun"
K_TEMPAT = "Tempat"
K_TANGGAL = "Tanggal"
K_ZONA = "Zona Waktu"
K_VERIFY_URL = "Alamat Verifikasi"  # optional: where the QR leads (issue 14's verify_url)
K_VERIFY_URL_KEYS = frozenset({K_VERIFY_URL.lower(), "verify_url"})  # either key is read
# Column headers
H_KODE_PEJABAT = "Kode Pejabat"
H_NAMA = "Nama dan Gelar"
H_NIP = "NIP"
H_JABATAN = "Jabatan"
H_GOLONGAN = "Golongan"
H_KODE_UNIT = "Kode Unit"
H_NAMA_UNIT = "Nama Unit"
H_JENIS_UNIT = "Jenis Unit"
H_PIHAK_PERTAMA = "Pihak Pertama"
H_PIHAK_KEDUA = "Pihak Kedua"
H_DOKUMEN = "Dokumen"
H_PERUBAHAN_KE = "Perubahan Ke"
H_ALASAN = "Alasan Perubahan"
H_TANGGAL = "Tanggal"  # a unit's own date (a PK Perubahan's), instead of the Instansi sheet's
H_NOMOR = "Nomor"  # the document's own number, printed under the title
H_SASARAN = "Sasaran"
H_KODE_INDIKATOR = "Kode Indikator"
H_INDIKATOR = "Indikator Kinerja"
H_SATUAN = "Satuan"
H_ARAH = "Arah"
H_SKALA = "Skala Predikat"
H_TARGET = "Target"
H_TW = ("Target TW I", "Target TW II", "Target TW III", "Target TW IV")
H_KODE_PROGRAM = "Kode Program"
H_PROGRAM = "Program"
H_ANGGARAN = "Anggaran (Rp)"
H_PEJABAT = "Pejabat"
H_ATASAN = "Atasan (Saksi)"
# The realisasi workbook: its own sheets and columns; the shared ones are above
REALISASI = "Realisasi"
ANGGARAN = "Anggaran"
H_REALISASI_TW = ("Realisasi TW I", "Realisasi TW II", "Realisasi TW III", "Realisasi TW IV")
H_REALISASI = "Realisasi Tahunan"
H_REALISASI_ANGGARAN = "Realisasi Anggaran (Rp)"
# cumulative budget spent up to each triwulan; optional, so that workbooks without them still read
H_REALISASI_ANGGARAN_TW = tuple(f"Realisasi Anggaran TW {n} (Rp)" for n in ("I", "II", "III", "IV"))


COLUMNS: dict[str, tuple[str, ...]] = {
    PEJABAT: (H_KODE_PEJABAT, H_NAMA, H_NIP, H_JABATAN, H_GOLONGAN),
    UNIT: (
        H_KODE_UNIT,
        H_NAMA_UNIT,
        H_JENIS_UNIT,
        H_PIHAK_PERTAMA,
        H_PIHAK_KEDUA,
        H_DOKUMEN,
        H_PERUBAHAN_KE,
        H_ALASAN,
        H_TANGGAL,
        H_NOMOR,
    ),
    INDIKATOR: (
        H_KODE_UNIT,
        H_SASARAN,
        H_KODE_INDIKATOR,
        H_INDIKATOR,
        H_SATUAN,
        H_ARAH,
        H_SKALA,
        H_TARGET,
        *H_TW,
    ),
    PROGRAM: (H_KODE_UNIT, H_KODE_PROGRAM, H_PROGRAM, H_ANGGARAN),
    PAKTA: (H_KODE_UNIT, H_PEJABAT, H_ATASAN),
}
# Columns that staff may merge down over several rows (a Sasaran over its indikator, a Kode Unit
# over its rows): the merged value is each row's. Any other merged column is refused.
FILL_DOWN: dict[str, frozenset[str]] = {
    PEJABAT: frozenset(),
    UNIT: frozenset({H_JENIS_UNIT, H_PIHAK_KEDUA, H_DOKUMEN}),
    INDIKATOR: frozenset({H_KODE_UNIT, H_SASARAN}),
    PROGRAM: frozenset({H_KODE_UNIT}),
    PAKTA: frozenset({H_KODE_UNIT, H_ATASAN}),
}
FILL_DOWN_REALISASI = frozenset({H_KODE_UNIT, H_NAMA_UNIT})
OPTIONAL_COLUMNS = {H_PERUBAHAN_KE, H_ALASAN, H_TANGGAL, H_NOMOR, H_SKALA, *H_TW}
COLUMNS_REALISASI = (
    H_KODE_UNIT,
    H_NAMA_UNIT,
    H_KODE_INDIKATOR,
    H_INDIKATOR,
    H_SATUAN,
    H_ARAH,
    H_TARGET,
    *H_REALISASI_TW,
    H_REALISASI,
)
COLUMNS_ANGGARAN = (
    H_KODE_UNIT,
    H_KODE_PROGRAM,
    H_PROGRAM,
    H_ANGGARAN,
    *H_REALISASI_ANGGARAN_TW,
    H_REALISASI_ANGGARAN,
)

# One header style for every sheet kinerja writes (the evaluation report uses its colour too)
HEADER_COLOUR = "1F4E78"
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR)
HEADER_FONT = Font(bold=True, color="FFFFFF")
