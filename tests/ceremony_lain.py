"""A second ceremony, not the bundled example, typed the way a Bagian Organisasi types it.

Pemerintah Kabupaten Lembah Harapan (fictional), WITA, 60 units: Sekretariat, DPRD, Inspektorat,
dinas and badan (with "&" in their names), a RSUD, bagian under the Sekda and kecamatan. One badan
has a lampiran of 35 indikator over 8 sasaran. Names carry many gelar, several are longer than 64
characters, some have apostrophes; one official heads his own dinas and is Plt. of another. Staff
habits: targets of "%" indikator in cells formatted as percent (0.95 shown as 95%), quarterly
targets as formulas, the date typed as text in Indonesian, NIPs as text. Every person is
fictional; every NIP passes validation.

The workbook is written cell by cell with openpyxl, not by kinerja's own writer; formulas get the
values Excel stores when staff save (computed here the way Excel does, in IEEE doubles), see
:func:`store_computed_values`.
"""

from __future__ import annotations

import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

TAHUN = 2027
KABUPATEN = "Lembah Harapan"
TEMPAT = "Sungai Harapan"


@dataclass(frozen=True)
class Orang:
    kode: str
    nama: str
    nip: str | None
    jabatan: str
    golongan: str | None


@dataclass
class UnitBaris:
    kode: str
    nama: str
    jenis: str
    pihak_pertama: str
    pihak_kedua: str
    sasaran: list[tuple[str, list[tuple[str, str, str, object, bool]]]] = field(
        default_factory=list
    )  # (sasaran, [(uraian, satuan, arah, target, triwulan)])
    program: list[tuple[str, str, int]] = field(default_factory=list)


def _nip(rng: random.Random, sex: int, serial: int) -> str:
    born = f"{rng.randint(1966, 1984)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    tmt = f"{int(born[:4]) + rng.randint(22, 28)}{rng.choice((1, 3, 12)):02d}"
    return f"{born}{tmt}{sex}{serial:03d}"


KEPALA_DAERAH = Orang(
    "BUPATI",
    "H. Andi Muhammad Ridwan Daeng Pasolong, S.Sos., M.Si.",
    None,
    f"Bupati {KABUPATEN}",
    None,
)

# names deliberately long: with gelar they pass 64 characters, as real ones do
_NAMA = [
    ("Dr. Ir. H. Muhammad Syahrir Andi Pangeran Tenri Sompa, S.T., M.T., IPM., ASEAN Eng.", 1),
    ("Prof. Dr. Hj. Siti Nur'aini Rahmawati Kusumaningtyas, S.E., M.Si., Ak., CA.", 2),
    ("dr. Yohanes Bosco Kristianto Manurung Simanjuntak, Sp.PD-KGEH, M.Kes., FINASIM", 1),
    ("Ir. I Gusti Ngurah Putu Wirawan Adiputra, S.T., M.Eng.", 1),
    ("Drs. H. Ma'ruf Abdullah Hasibuan, M.Si.", 1),
    ("Hj. Andi Sitti Nurhayati Daeng Tayu, S.Pd., M.Pd.", 2),
    ("Kornelius Laurensius Sinaga, S.H., M.H.", 1),
    ("Ni Luh Made Sukmawati, S.KM., M.P.H.", 2),
    ("Agustinus Petrus Bataona, S.Sos., M.A.P.", 1),
    ("Dra. Theresia Magdalena Wowor, M.Si.", 2),
    ("H. La Ode Muhammad Syarifuddin Ali, S.IP., M.Si.", 1),
    ("Fransiska Xaveria Lumbantobing, S.Kom., M.T.I.", 2),
    ("drh. Abdul Rahman Fadli Situmorang, M.Si.", 1),
    ("Nyoman Sudarsana, S.P., M.P.", 1),
    ("Rahmat Hidayatullah Saputra, S.STP., M.Si.", 1),
    ("Yuliana Christina Pattiasina, S.E., M.M.", 2),
]

_DINAS = [
    ("DISDIK", "Dinas Pendidikan & Kebudayaan", "dinas"),
    ("DINKES", "Dinas Kesehatan, Pengendalian Penduduk & Keluarga Berencana", "dinas"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas"),
    ("DPRKP", "Dinas Perumahan, Kawasan Permukiman & Pertanahan", "dinas"),
    ("DINSOS", "Dinas Sosial, Pemberdayaan Perempuan & Perlindungan Anak", "dinas"),
    ("DISNAKER", "Dinas Tenaga Kerja & Transmigrasi", "dinas"),
    ("DLH", "Dinas Lingkungan Hidup", "dinas"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas"),
    ("DPMD", "Dinas Pemberdayaan Masyarakat & Desa", "dinas"),
    ("DISHUB", "Dinas Perhubungan", "dinas"),
    ("DISKOMINFO", "Dinas Komunikasi, Informatika, Statistik & Persandian", "dinas"),
    ("DISKOPUKM", "Dinas Koperasi, Usaha Kecil & Menengah", "dinas"),
    ("DPMPTSP", "Dinas Penanaman Modal & Pelayanan Terpadu Satu Pintu", "dinas"),
    ("DISPORA", "Dinas Kepemudaan & Olahraga", "dinas"),
    ("DISPAR", "Dinas Pariwisata", "dinas"),
    ("DISARPUS", "Dinas Perpustakaan & Kearsipan", "dinas"),
    ("DKP", "Dinas Kelautan & Perikanan", "dinas"),
    ("DTPH", "Dinas Tanaman Pangan, Hortikultura & Perkebunan", "dinas"),
    ("DISNAK", "Dinas Peternakan & Kesehatan Hewan", "dinas"),
    ("DISPERINDAG", "Dinas Perindustrian & Perdagangan", "dinas"),
    ("BAPPERIDA", "Badan Perencanaan Pembangunan, Riset & Inovasi Daerah", "badan"),
    ("BPKAD", "Badan Pengelolaan Keuangan & Aset Daerah", "badan"),
    ("BAPENDA", "Badan Pendapatan Daerah", "badan"),
    ("BKPSDM", "Badan Kepegawaian & Pengembangan Sumber Daya Manusia", "badan"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "badan"),
    ("KESBANGPOL", "Badan Kesatuan Bangsa & Politik", "badan"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja & Pemadam Kebakaran", "satuan"),
    ("RSUD", "Rumah Sakit Umum Daerah Andi Ma'rifah", "rsud"),
]
_BAGIAN = [
    "Tata Pemerintahan",
    "Hukum",
    "Kesejahteraan Rakyat",
    "Perekonomian & Sumber Daya Alam",
    "Administrasi Pembangunan",
    "Pengadaan Barang & Jasa",
    "Umum",
    "Organisasi",
    "Protokol & Komunikasi Pimpinan",
]
_KECAMATAN = [
    "Sungai Harapan",
    "Batu Ampar",
    "Tanjung Lestari",
    "Muara Baru",
    "Long Ikis",
    "Tepian Raya",
    "Loa Kulu Hulu",
    "Bukit Ma'rang",
    "Sepaku Lama",
    "Kuaro Timur",
    "Pasir Belengkong Hilir",
    "Tanah Grogot Utara",
    "Padang Batung",
    "Telaga Sari",
    "Rantau Pulung",
    "Sangkulirang Barat",
    "Busang Seberang",
    "Kaliorang Indah",
    "Sandaran Jaya",
    "Bengalon Ulu",
]

_SASARAN_BAPPERIDA = [
    "Meningkatnya kualitas perencanaan pembangunan daerah yang partisipatif, terintegrasi dan "
    "berbasis data",
    "Meningkatnya akuntabilitas kinerja Pemerintah Kabupaten",
    "Meningkatnya keselarasan dokumen perencanaan dengan RPJMD dan RPJPD",
    "Meningkatnya kualitas pengendalian dan evaluasi pelaksanaan pembangunan",
    "Meningkatnya pemanfaatan hasil riset dan inovasi daerah",
    "Meningkatnya kualitas data statistik sektoral & data pembangunan",
    "Meningkatnya kinerja perencanaan bidang perekonomian, infrastruktur & kewilayahan",
    "Meningkatnya tata kelola perangkat daerah",
]


def _indikator_bapperida(
    rng: random.Random,
) -> list[tuple[str, list[tuple[str, str, str, object, bool]]]]:
    out = []
    counts = (5, 4, 5, 4, 5, 4, 4, 4)  # 35
    n = 0
    for sasaran, count in zip(_SASARAN_BAPPERIDA, counts, strict=True):
        rows: list[tuple[str, str, str, object, bool]] = []
        for j in range(count):
            n += 1
            if n == 6:
                rows.append(
                    ("Nilai SAKIP Pemerintah Kabupaten", "Predikat", "predikat", "BB", False)
                )
            elif n % 7 == 0:
                rows.append(
                    (
                        f"Persentase rekomendasi hasil pengendalian dan evaluasi pembangunan "
                        f"yang tidak ditindaklanjuti oleh perangkat daerah (kelompok {n})",
                        "%",
                        "turun",
                        round(rng.uniform(5, 15), 1),
                        True,
                    )
                )
            elif n % 3 == 0:
                rows.append(
                    (
                        f"Persentase program perangkat daerah yang selaras dengan sasaran "
                        f"RPJMD dan rencana strategis (kelompok {n})",
                        "%",
                        "naik",
                        round(rng.uniform(80, 99), 0) / 100,  # typed as percent: 0.95 shows 95%
                        j % 2 == 0,
                    )
                )
            else:
                rows.append(
                    (
                        f"Indeks kualitas dokumen perencanaan dan penganggaran daerah {n}",
                        "Indeks",
                        "naik",
                        round(rng.uniform(60, 90), 2),
                        j % 2 == 1,
                    )
                )
        out.append((sasaran, rows))
    return out


def _indikator_biasa(
    rng: random.Random, nama_unit: str
) -> list[tuple[str, list[tuple[str, str, str, object, bool]]]]:
    short = nama_unit.replace("Dinas ", "").replace("Badan ", "").replace("Kecamatan ", "")
    first: list[tuple[str, str, str, object, bool]] = [
        (
            f"Persentase capaian standar pelayanan minimal urusan {short}",
            "%",
            "naik",
            round(rng.uniform(85, 99), 0) / 100,
            rng.random() < 0.5,
        ),
        (
            f"Indeks kepuasan masyarakat atas layanan {short}",
            "Indeks",
            "naik",
            round(rng.uniform(75, 90), 2),
            False,
        ),
    ]
    second: list[tuple[str, str, str, object, bool]] = [
        (
            "Nilai SAKIP perangkat daerah",
            "Predikat",
            "predikat",
            rng.choice(("A", "BB", "B")),
            False,
        ),
        (
            "Persentase temuan BPK yang belum ditindaklanjuti",
            "%",
            "turun",
            round(rng.uniform(2, 10), 1),
            rng.random() < 0.5,
        ),
    ]
    return [
        (f"Meningkatnya kualitas layanan {short} bagi masyarakat {KABUPATEN}", first),
        ("Meningkatnya akuntabilitas kinerja dan keuangan perangkat daerah", second),
    ]


def units() -> tuple[list[Orang], list[UnitBaris]]:
    """The officials and the 60 units of the ceremony."""
    rng = random.Random(2027)
    orang: list[Orang] = [KEPALA_DAERAH]
    serial = 1

    def pejabat(kode: str, jabatan: str, golongan: str) -> str:
        nonlocal serial
        nama, sex = _NAMA[(serial - 1) % len(_NAMA)]
        if serial > len(_NAMA):  # more officials than names: a plain second person
            nama = f"{nama.split(',')[0]} {chr(64 + serial // len(_NAMA))}., S.Sos."
        orang.append(Orang(kode, nama, _nip(rng, sex, serial), jabatan, golongan))
        serial += 1
        return kode

    sekda = pejabat("KA-SETDA", f"Sekretaris Daerah Kabupaten {KABUPATEN}", "IV/d")
    unit_rows = [
        UnitBaris("SETDA", "Sekretariat Daerah", "sekretariat", sekda, "BUPATI"),
        UnitBaris(
            "SETWAN",
            "Sekretariat DPRD",
            "sekretariat",
            pejabat("KA-SETWAN", f"Sekretaris DPRD Kabupaten {KABUPATEN}", "IV/c"),
            "BUPATI",
        ),
        UnitBaris(
            "INSPEKTORAT",
            "Inspektorat Daerah",
            "inspektorat",
            pejabat("KA-INSPEKTORAT", f"Inspektur Kabupaten {KABUPATEN}", "IV/c"),
            "BUPATI",
        ),
    ]
    for kode, nama, jenis in _DINAS:
        if kode == "DISARPUS":
            continue  # headed by the Plt., below
        head = "Direktur" if jenis == "rsud" else "Kepala"
        unit_rows.append(
            UnitBaris(
                kode,
                nama,
                jenis,
                pejabat(f"KA-{kode}", f"{head} {nama} Kabupaten {KABUPATEN}", "IV/b"),
                "BUPATI",
            )
        )
    # the head of Diskominfo is also Plt. of Perpustakaan & Kearsipan: one person, two posts
    kominfo = next(o for o in orang if o.kode == "KA-DISKOMINFO")
    orang.append(
        Orang(
            "PLT-DISARPUS",
            kominfo.nama,
            kominfo.nip,
            f"Plt. Kepala Dinas Perpustakaan & Kearsipan Kabupaten {KABUPATEN}",
            kominfo.golongan,
        )
    )
    unit_rows.append(
        UnitBaris("DISARPUS", "Dinas Perpustakaan & Kearsipan", "dinas", "PLT-DISARPUS", "BUPATI")
    )
    for i, bagian in enumerate(_BAGIAN):
        kode = f"BAG-{i + 1:02d}"
        unit_rows.append(
            UnitBaris(
                kode,
                f"Bagian {bagian}",
                "bagian",
                pejabat(f"KA-{kode}", f"Kepala Bagian {bagian} Sekretariat Daerah", "IV/a"),
                sekda,
            )
        )
    for i, kecamatan in enumerate(_KECAMATAN):
        kode = f"KEC-{i + 1:02d}"
        unit_rows.append(
            UnitBaris(
                kode,
                f"Kecamatan {kecamatan}",
                "kecamatan",
                pejabat(f"CAMAT-{i + 1:02d}", f"Camat {kecamatan}", "IV/a"),
                "BUPATI",
            )
        )
    assert len(unit_rows) == 60, len(unit_rows)
    for u in unit_rows:
        u.sasaran = (
            _indikator_bapperida(rng) if u.kode == "BAPPERIDA" else _indikator_biasa(rng, u.nama)
        )
        u.program = [
            (
                f"{rng.randint(1, 7)}.{rng.randint(1, 30):02d}.{p + 1:02d}",
                name,
                rng.randrange(250, 45_000) * 1_000_000 + rng.choice((0, 500_000, 750_000)),
            )
            for p, name in enumerate(
                (
                    "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
                    f"Program Peningkatan Layanan {u.nama.split(' ', 1)[1]}",
                    "Program Perencanaan, Pengendalian & Evaluasi Kinerja",
                )[: rng.randint(1, 3)]
            )
        ]
    return orang, unit_rows


TANGGAL_TEKS = "4 Januari 2027"  # typed as text, as staff type it


PERUBAHAN = {  # unit -> (Tanggal typed as text, Nomor, Alasan): the March revisions
    "DINKES": ("17 Maret 2027", "800/117/DINKES/III/2027", "perubahan alokasi anggaran program"),
    "DISARPUS": ("22 Maret 2027", "800/09/ARPUS/2027", "refocusing kegiatan & anggaran"),
    "KEC-03": ("24 Maret 2027", "050/31/KEC-TL/2027", "perubahan prioritas pelayanan"),
}


def write_workbook(path: Path, *, only: set[str] | None = None, perubahan: bool = False) -> Path:
    """The ceremony workbook (only the units in ``only``, when given), as saved by Excel. With
    ``perubahan``: the revisions of :data:`PERUBAHAN`, each with its own date, number and
    reason, a target raised and the first program's budget cut, and no Pakta Integritas."""
    orang, unit_rows = units()
    if only is not None:
        unit_rows = [u for u in unit_rows if u.kode in only]
    if perubahan:
        unit_rows = [u for u in unit_rows if u.kode in PERUBAHAN]
        for u in unit_rows:
            sasaran, rows = u.sasaran[0]
            uraian, satuan, arah, target, tw = rows[1]  # the Indeks: one point higher
            assert isinstance(target, float)
            rows[1] = (uraian, satuan, arah, round(target + 1, 2), tw)
            kode, nama, anggaran = u.program[0]
            u.program[0] = (kode, nama, anggaran - 100_000_000)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Instansi"
    for row in (
        ("Pemerintah Daerah", f"Pemerintah Kabupaten {KABUPATEN}"),
        ("Kop Baris 1", f"Jalan Poros Trans Kalimantan Km. 5, {TEMPAT} 77261"),
        ("Kop Baris 2", "Telepon (0543) 555-0101, Laman www.lembahharapan.example"),
        ("Tahun", TAHUN),
        ("Tempat", TEMPAT),
        ("Tanggal", TANGGAL_TEKS),
        ("Zona Waktu", "WITA"),
    ):
        ws.append(row)
    ws = wb.create_sheet("Pejabat")
    ws.append(("Kode Pejabat", "Nama dan Gelar", "NIP", "Jabatan", "Golongan"))
    used = {u.pihak_pertama for u in unit_rows} | {u.pihak_kedua for u in unit_rows}
    for o in orang:
        if o.kode in used:
            ws.append((o.kode, o.nama, o.nip, o.jabatan, o.golongan))
            ws.cell(ws.max_row, 3).number_format = "@"
    ws = wb.create_sheet("Unit")
    head = ("Kode Unit", "Nama Unit", "Jenis Unit", "Pihak Pertama", "Pihak Kedua", "Dokumen")
    extra = ("Perubahan Ke", "Alasan Perubahan", "Tanggal", "Nomor") if perubahan else ()
    ws.append((*head, *extra))
    for u in unit_rows:
        base = (u.kode, u.nama, u.jenis, u.pihak_pertama, u.pihak_kedua)
        if perubahan:
            tanggal, nomor, alasan = PERUBAHAN[u.kode]
            ws.append((*base, "PK Perubahan", 1, alasan, tanggal, nomor))
        else:
            ws.append((*base, "PK"))
    ws = wb.create_sheet("Indikator")
    ws.append(
        (
            "Kode Unit",
            "Sasaran",
            "Kode Indikator",
            "Indikator Kinerja",
            "Satuan",
            "Arah",
            "Skala Predikat",
            "Target",
            "Target TW I",
            "Target TW II",
            "Target TW III",
            "Target TW IV",
        )
    )
    computed: dict[str, float] = {}
    for u in unit_rows:
        n = 0
        for sasaran, rows in u.sasaran:
            for uraian, satuan, arah, target, tw in rows:
                n += 1
                skala = "Nilai SAKIP" if arah == "predikat" else None
                ws.append(
                    (u.kode, sasaran, f"{u.kode}.{n:02d}", uraian, satuan, arah, skala, target)
                )
                r = ws.max_row
                percent = satuan == "%" and isinstance(target, float) and target < 1
                if percent:
                    ws.cell(r, 8).number_format = "0%"
                if tw and isinstance(target, float):
                    # staff spread the yearly target with formulas; TW IV is the yearly target
                    shares = (1.6, 1.4, 1.2) if arah == "turun" else (0.25, 0.5, 0.75)
                    for q, share in enumerate(shares, start=9):
                        ws.cell(r, q, f"=H{r}*{share}")
                        computed[f"{get_column_letter(q)}{r}"] = target * share
                        if percent:
                            ws.cell(r, q).number_format = "0.0%"
                    ws.cell(r, 12, f"=H{r}")
                    computed[f"L{r}"] = target
                    if percent:
                        ws.cell(r, 12).number_format = "0%"
    ws = wb.create_sheet("Program")
    ws.append(("Kode Unit", "Kode Program", "Program", "Anggaran (Rp)"))
    for u in unit_rows:
        for kode, uraian, anggaran in u.program:
            ws.append((u.kode, kode, uraian, anggaran))
            ws.cell(ws.max_row, 4).number_format = "#,##0"
    ws = wb.create_sheet("Pakta Integritas")
    ws.append(("Kode Unit", "Pejabat", "Atasan (Saksi)"))
    for u in unit_rows if not perubahan else ():
        ws.append((u.kode, u.pihak_pertama, u.pihak_kedua))
    ws = wb.create_sheet("Daftar")
    ws.append(("Skala: Nilai SAKIP",))
    for v in ("AA", "A", "BB", "B", "CC", "C", "D"):
        ws.append((v,))
    wb.save(path)
    return store_computed_values(path, 4, computed)  # Indikator is the fourth sheet


def store_computed_values(path: Path, sheet_index: int, values: dict[str, float]) -> Path:
    """Write the values Excel stores beside formulas when staff save (openpyxl writes formulas
    with an empty value). ``values``: cell reference -> the IEEE double Excel computes."""
    member = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    xml = parts[next(i for i in parts if i.filename == member)].decode()
    for ref, value in values.items():
        pattern = re.compile(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v></v>')
        xml, count = pattern.subn(lambda m, v=value: f"{m.group(1)}<v>{v!r}</v>", xml)
        assert count == 1, (ref, count)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            z.writestr(info, xml.encode() if info.filename == member else data)
    tmp.replace(path)
    return path
