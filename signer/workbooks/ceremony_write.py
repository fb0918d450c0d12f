"""Writing the ceremony workbook: one writer per sheet, mirroring the readers, with dropdowns
and instructions (Petunjuk) so staff type what the reader accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from signer import fsio
from signer.kinds import in_unit_sheet
from signer.model import (
    PANGKAT_GOLONGAN,
    SATUAN_UMUM,
    SKALA_PREDIKAT,
    Agreement,
    Arah,
    Ceremony,
    JenisUnit,
    Pihak,
    Predikat,
    Rentang,
    Target,
)
from signer.workbooks.columns import (
    COLUMNS,
    DAFTAR,
    H_ALASAN,
    H_ANGGARAN,
    H_ARAH,
    H_ATASAN,
    H_DOKUMEN,
    H_GOLONGAN,
    H_INDIKATOR,
    H_JABATAN,
    H_JENIS_UNIT,
    H_KODE_INDIKATOR,
    H_KODE_PEJABAT,
    H_KODE_PROGRAM,
    H_KODE_UNIT,
    H_NAMA,
    H_NAMA_UNIT,
    H_NIP,
    H_NOMOR,
    H_PEJABAT,
    H_PERUBAHAN_KE,
    H_PIHAK_KEDUA,
    H_PIHAK_PERTAMA,
    H_PROGRAM,
    H_SASARAN,
    H_SATUAN,
    H_SKALA,
    H_TANGGAL,
    H_TARGET,
    HEADER_FILL,
    HEADER_FONT,
    INDIKATOR,
    INSTANSI,
    K_KOP,
    K_LOGO,
    K_NAMA,
    K_TAHUN,
    K_TANGGAL,
    K_TEMPAT,
    K_VERIFY_URL,
    K_ZONA,
    PAKTA,
    PEJABAT,
    PETUNJUK,
    PROGRAM,
    UNIT,
)
from signer.xlsxtext import data_as_text

_WIDTHS = {
    H_KODE_PEJABAT: 16,
    H_NAMA: 42,
    H_NIP: 22,
    H_JABATAN: 48,
    H_GOLONGAN: 11,
    H_KODE_UNIT: 14,
    H_NAMA_UNIT: 44,
    H_JENIS_UNIT: 13,
    H_PIHAK_PERTAMA: 18,
    H_PIHAK_KEDUA: 16,
    H_DOKUMEN: 30,
    H_PERUBAHAN_KE: 13,
    H_ALASAN: 30,
    H_TANGGAL: 12,
    H_NOMOR: 30,
    H_SASARAN: 48,
    H_KODE_INDIKATOR: 14,
    H_INDIKATOR: 60,
    H_SATUAN: 15,
    H_ARAH: 10,
    H_SKALA: 22,
    H_TARGET: 12,
    H_KODE_PROGRAM: 13,
    H_PROGRAM: 70,
    H_ANGGARAN: 20,
    H_PEJABAT: 16,
    H_ATASAN: 16,
}


_TW_WIDTH = 12

# Defined names over the codes of Pejabat and Unit, the lists of the other sheets' dropdowns
_KODE_PEJABAT = H_KODE_PEJABAT.replace(" ", "_")
_KODE_UNIT = H_KODE_UNIT.replace(" ", "_")


VERIFY_URL_HELP = (
    "Boleh kosong. Alamat portal verifikasi, mis. https://sakip.contoh.go.id/v/ : kode QR "
    "membuka alamat ini ditambah kode verifikasi (https://, paling banyak 64 karakter)."
)

PETUNJUK_TEXT = (
    "Petunjuk pengisian buku kerja upacara Perjanjian Kinerja dan Pakta Integritas",
    "",
    "1. Instansi: isi nama pemerintah daerah, baris kop, nama berkas logo (di folder yang sama), "
    "tahun, tempat dan tanggal penandatanganan, dan zona waktu (WIB, WITA, WIT). Alamat "
    "Verifikasi boleh kosong; bila diisi (mis. https://sakip.contoh.go.id/v/), kode QR di setiap "
    "halaman membuka alamat itu dengan kode verifikasi dokumen.",
    "2. Pejabat: satu baris per pejabat. Kode Pejabat bebas tetapi unik (mis. KA-DINKES). "
    "NIP 18 digit diketik sebagai teks; kepala daerah tanpa NIP dan tanpa golongan.",
    "3. Unit: satu baris per perangkat daerah atau kecamatan. Pihak Pertama adalah kepala unit, "
    "Pihak Kedua atasannya (Kode Pejabat dari lembar Pejabat). PK Perubahan: isi Perubahan Ke, "
    "Alasan Perubahan (dibaca 'sehubungan dengan ...'), Tanggal perubahan dan Nomor bila ada; "
    "perjanjian yang diganti dicari di folder keluaran. PK Kepala Daerah: Jenis Unit "
    "pemerintah-daerah, Pihak Pertama kepala daerah, Pihak Kedua dikosongkan.",
    "4. Indikator: satu baris per indikator. Baris dengan Sasaran yang sama dalam satu unit "
    "menjadi satu sasaran. Arah: naik (makin tinggi makin baik), turun (makin rendah makin baik), "
    "predikat (isi Skala Predikat), rentang (Target mis. 69,1 - 69,5). Target triwulan "
    "(kumulatif) diisi keempatnya atau dikosongkan.",
    "5. Program: satu baris per program dengan anggaran dalam rupiah penuh.",
    "6. Pakta Integritas: satu baris per pejabat yang menandatangani, dengan atasan sebagai saksi.",
    "7. Daftar: pilihan untuk menu tarik-turun. Skala predikat baru: tambahkan kolom berjudul "
    "'Skala: Nama Skala' dengan nilai dari yang terbaik.",
    "",
    "Lalu jalankan: kinerja generate kinerja.xlsx -o keluaran/",
)


def _header(ws: Worksheet, headers: tuple[str, ...]) -> None:
    ws.append(list(headers))
    for idx, h in enumerate(headers, 1):
        cell = ws.cell(row=1, column=idx)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(idx)].width = _WIDTHS.get(h, _TW_WIDTH)
    ws.freeze_panes = "A2"


def _list_validation(
    ws: Worksheet,
    headers: tuple[str, ...],
    header: str,
    formula: str,
    *,
    strict: bool = True,
    rows: int = 1000,
) -> None:
    col = get_column_letter(headers.index(header) + 1)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=strict,
        errorStyle="stop" if strict else "information",
    )
    dv.error = f"Pilih {header} dari daftar"
    dv.add(f"{col}2:{col}{rows}")
    ws.add_data_validation(dv)


def _target_cell(t: Target) -> int | float | str:
    if isinstance(t, Rentang):
        return f"{_comma(t.bawah)} - {_comma(t.atas)}"
    if isinstance(t, Predikat):
        return t.nilai
    return int(t) if t == t.to_integral_value() else float(t)


def _comma(d: Decimal) -> str:
    from signer.canonical import decimal_text

    return decimal_text(d).replace(".", ",")


def write_workbook(
    ceremony: Ceremony, path: str | Path, pejabat_kode: Callable[[Pihak], str] | None = None
) -> None:
    """Write ``ceremony`` as a ceremony workbook with headers, dropdowns and instructions."""
    wb = Workbook()
    code_of = _pejabat_codes(pejabat_kode)
    with_targets = [a for a in ceremony.agreements if a.jenis.has_targets]
    _write_petunjuk(wb)
    _write_instansi(wb, ceremony)
    _write_pejabat(wb, ceremony.parties, code_of)
    _write_unit(wb, with_targets, code_of, ceremony.agreements[0].tanggal)
    _write_indikator(wb, with_targets)
    _write_program(wb, with_targets)
    _write_pakta(wb, ceremony.agreements, code_of)
    _write_daftar(wb)
    _name_codes(wb, _KODE_PEJABAT, PEJABAT)
    _name_codes(wb, _KODE_UNIT, UNIT)
    data_as_text(wb)
    fsio.write_with(Path(path), wb.save)


def _pejabat_codes(pejabat_kode: Callable[[Pihak], str] | None) -> Callable[[Pihak], str]:
    """Kode Pejabat per party: ``pejabat_kode``'s, or PJ001, PJ002, ... in order of first use."""
    codes: dict[Pihak, str] = {}

    def code_of(p: Pihak) -> str:
        if p not in codes:
            codes[p] = pejabat_kode(p) if pejabat_kode else f"PJ{len(codes) + 1:03d}"
        return codes[p]

    return code_of


def _name_codes(wb: Workbook, name: str, sheet: str) -> None:
    """Name the codes in column A of ``sheet``: the dropdowns of other sheets list them."""
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(sheet)}!$A$2:$A$500")


def _write_petunjuk(wb: Workbook) -> None:
    ws = wb.active  # a new workbook's only sheet: Petunjuk opens first
    assert isinstance(ws, Worksheet)  # for the type checker: a new workbook has no chartsheet
    ws.title = PETUNJUK
    for line in PETUNJUK_TEXT:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 140
    for row in ws.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _write_instansi(wb: Workbook, ceremony: Ceremony) -> None:
    ws = wb.create_sheet(INSTANSI)
    first = ceremony.agreements[0]  # the sheet holds one place and date: the first agreement's
    kop = list(ceremony.instansi.kop) or [""]
    rows: list[tuple[str, object]] = [(K_NAMA, ceremony.instansi.nama)]
    rows += [(f"{K_KOP} {i}", line) for i, line in enumerate(kop, 1)]
    rows += [
        (K_LOGO, ceremony.instansi.logo),
        (K_TAHUN, ceremony.tahun),
        (K_TEMPAT, first.tempat),
        (K_TANGGAL, first.tanggal),
        (K_ZONA, first.zona_waktu.value),
        (K_VERIFY_URL, ceremony.instansi.verify_url),
    ]
    for key, value in rows:
        ws.append([key, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        if key == K_TANGGAL:
            ws.cell(row=ws.max_row, column=2).number_format = "dd/mm/yyyy"
        if key == K_VERIFY_URL:  # optional: say what it is for where it is typed
            ws.cell(row=ws.max_row, column=3, value=VERIFY_URL_HELP)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 20, 70
    dv = DataValidation(type="list", formula1='"WIB,WITA,WIT"', allow_blank=False)
    dv.add(f"B{len(rows) - 1}")  # Zona Waktu, the row before the alamat verifikasi
    ws.add_data_validation(dv)


def _write_pejabat(wb: Workbook, parties: Sequence[Pihak], code_of: Callable[[Pihak], str]) -> None:
    ws = wb.create_sheet(PEJABAT)
    headers = COLUMNS[PEJABAT]
    _header(ws, headers)
    for p in parties:
        ws.append([code_of(p), p.nama, str(p.nip) if p.nip else None, p.jabatan, p.golongan])
    for cell in ws[get_column_letter(headers.index(H_NIP) + 1)]:
        cell.number_format = "@"  # text: Excel keeps only 15 digits of a number
    _list_validation(ws, headers, H_GOLONGAN, f"={DAFTAR}!$D$2:$D${len(PANGKAT_GOLONGAN) + 1}")


def _write_unit(
    wb: Workbook,
    agreements: Sequence[Agreement],
    code_of: Callable[[Pihak], str],
    ceremony_date: dt.date,
) -> None:
    """One row per agreement with targets; a unit's own Tanggal where it is not the
    ceremony's (the Instansi sheet's)."""
    ws = wb.create_sheet(UNIT)
    headers = COLUMNS[UNIT]
    _header(ws, headers)
    for a in agreements:
        ws.append(
            [
                a.unit.kode,
                a.unit.nama,
                a.unit.jenis.value,
                code_of(a.pihak_pertama),
                code_of(a.pihak_kedua) if a.pihak_kedua else None,
                a.jenis.workbook_label,
                a.perubahan_ke,
                a.alasan_perubahan,
                a.tanggal if a.tanggal != ceremony_date else None,
                a.nomor,
            ]
        )
        if a.tanggal != ceremony_date:
            ws.cell(
                row=ws.max_row, column=headers.index(H_TANGGAL) + 1
            ).number_format = "yyyy-mm-dd"
    _list_validation(ws, headers, H_JENIS_UNIT, f"={DAFTAR}!$C$2:$C${len(JenisUnit) + 1}")
    _list_validation(ws, headers, H_PIHAK_PERTAMA, f"={_KODE_PEJABAT}")
    _list_validation(ws, headers, H_PIHAK_KEDUA, f"={_KODE_PEJABAT}")
    labels = ",".join(str(k.workbook_label) for k in in_unit_sheet())
    _list_validation(ws, headers, H_DOKUMEN, f'"{labels}"')


def _write_indikator(wb: Workbook, agreements: Sequence[Agreement]) -> None:
    ws = wb.create_sheet(INDIKATOR)
    headers = COLUMNS[INDIKATOR]
    _header(ws, headers)
    for a in agreements:
        for s in a.sasaran:
            for i in s.indikator:
                tw = [_target_cell(t) for t in i.target_triwulan] if i.target_triwulan else []
                ws.append(
                    [
                        a.unit.kode,
                        s.uraian,
                        i.kode,
                        i.uraian,
                        i.satuan,
                        i.arah.value,
                        i.skala_nama,
                        _target_cell(i.target),
                        *tw,
                    ]
                )
    _list_validation(ws, headers, H_KODE_UNIT, f"={_KODE_UNIT}")
    _list_validation(ws, headers, H_ARAH, f"={DAFTAR}!$A$2:$A${len(Arah) + 1}")
    satuan = f"={DAFTAR}!$B$2:$B${len(SATUAN_UMUM) + 1}"
    _list_validation(ws, headers, H_SATUAN, satuan, strict=False)  # any unit may be typed
    _list_validation(ws, headers, H_SKALA, f"={DAFTAR}!$F$2:$F$40")
    for cell in ws[get_column_letter(headers.index(H_INDIKATOR) + 1)]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_program(wb: Workbook, agreements: Sequence[Agreement]) -> None:
    ws = wb.create_sheet(PROGRAM)
    headers = COLUMNS[PROGRAM]
    _header(ws, headers)
    for a in agreements:
        for p in a.program:
            ws.append([a.unit.kode, p.kode, p.uraian, p.anggaran])
            ws.cell(row=ws.max_row, column=4).number_format = "#,##0"
    _list_validation(ws, headers, H_KODE_UNIT, f"={_KODE_UNIT}")


def _write_pakta(
    wb: Workbook, agreements: Sequence[Agreement], code_of: Callable[[Pihak], str]
) -> None:
    ws = wb.create_sheet(PAKTA)
    headers = COLUMNS[PAKTA]
    _header(ws, headers)
    for a in agreements:
        if not a.jenis.workbook_labels:  # kinds without targets: this sheet
            assert a.pihak_kedua is not None  # a Pakta Integritas is witnessed
            ws.append([a.unit.kode, code_of(a.pihak_pertama), code_of(a.pihak_kedua)])
    _list_validation(ws, headers, H_KODE_UNIT, f"={_KODE_UNIT}")
    _list_validation(ws, headers, H_PEJABAT, f"={_KODE_PEJABAT}")
    _list_validation(ws, headers, H_ATASAN, f"={_KODE_PEJABAT}")


def _write_daftar(wb: Workbook) -> None:
    ws = wb.create_sheet(DAFTAR)
    # in this order: the dropdowns above name columns A (Arah) to D (Golongan) and F (Skala)
    lists: list[tuple[str, list[str]]] = [
        ("Arah", [a.value for a in Arah]),
        ("Satuan", list(SATUAN_UMUM)),
        ("Jenis Unit", [j.value for j in JenisUnit]),
        ("Golongan", list(PANGKAT_GOLONGAN)),
        ("Pangkat", list(PANGKAT_GOLONGAN.values())),
        ("Skala Predikat", list(SKALA_PREDIKAT)),
    ]
    lists += [(f"Skala: {name}", list(values)) for name, values in SKALA_PREDIKAT.items()]
    for c, (title, values) in enumerate(lists, 1):
        ws.cell(row=1, column=c, value=title).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = max(14, len(title) + 2)
        for r, v in enumerate(values, 2):
            ws.cell(row=r, column=c, value=v)
