"""The portal's words in Bahasa Indonesia (the default) and English.

The language comes from ``?lang=``, then the ``lang`` cookie; otherwise Bahasa Indonesia, whatever
the browser prefers (many Indonesian phones are set to English). Every page links to the other.
"""

from __future__ import annotations

LANGS = ("id", "en")

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "portal": "Portal Verifikasi Perjanjian Kinerja",
        "home_lead": "Periksa keaslian Perjanjian Kinerja dan Pakta Integritas yang ditandatangani "
        "secara elektronik: pindai kode QR pada dokumen, ketik kode verifikasinya, atau unggah "
        "berkas PDF-nya.",
        "code_label": "Kode verifikasi",
        "open": "Buka",
        "upload_title": "Periksa berkas PDF",
        "upload_lead": "Unggah berkas PDF Perjanjian Kinerja atau Pakta Integritas. Berkas "
        "diperiksa dengan kebijakan yang sama dengan arsip dan tidak disimpan.",
        "file_label": "Berkas PDF (paling besar {mb} MB)",
        "check": "Periksa",
        "other_lang": "English",
        "verdict_VALID": "SAH",
        "verdict_INVALID": "TIDAK SAH",
        "verdict_INDETERMINATE": "BELUM DAPAT DIPASTIKAN",
        "explain_VALID": "Dokumen ini utuh seperti saat ditandatangani, dan setiap tanda tangan "
        "sah serta dapat dipercaya.",
        "explain_INVALID": "Dokumen ini tidak dapat diterima: isinya berubah setelah "
        "ditandatangani, atau ada tanda tangan yang tidak sah. Lihat pemeriksaan di bawah.",
        "explain_INDETERMINATE": "Keabsahan belum dapat dipastikan karena bukti belum lengkap "
        "(misalnya sertifikat akar atau status pencabutan). Lihat pemeriksaan di bawah.",
        "checked_at": "Terakhir diverifikasi",
        "archived": "Diarsipkan",
        "document": "Dokumen",
        "unit": "Unit kerja",
        "year": "Tahun",
        "number": "Nomor",
        "parties": "Para pihak dan penandatanganan",
        "role_pihak-pertama": "Pihak Pertama",
        "role_pihak-kedua": "Pihak Kedua",
        "signed_at": "Ditandatangani",
        "time_timestamp": "menurut cap waktu (timestamp) tepercaya",
        "time_claimed": "menurut pengakuan penanda tangan, tanpa cap waktu",
        "not_signed": "Belum ada tanda tangan",
        "level": "Tingkat",
        "targets": "Sasaran, indikator dan target yang ditandatangani",
        "sasaran": "Sasaran",
        "indikator": "Indikator",
        "satuan": "Satuan",
        "target": "Target",
        "triwulan": "Target triwulan I–IV",
        "programs": "Program dan anggaran",
        "program": "Program",
        "anggaran": "Anggaran",
        "total": "Jumlah",
        "evaluation": "Evaluasi terakhir",
        "periode": "Periode",
        "realisasi": "Realisasi",
        "capaian": "Capaian",
        "kategori": "Kategori",
        "overall": "Capaian keseluruhan",
        "checks": "Pemeriksaan",
        "passed": "lolos",
        "failed": "gagal",
        "replaced_by": "Perjanjian ini telah diganti oleh PK Perubahan",
        "replaces": "Perjanjian ini menggantikan",
        "download": "Unduh PDF yang diarsipkan",
        "not_found_title": "Tidak ditemukan",
        "not_found": "Tidak ada dokumen dengan kode itu di arsip.",
        "result_title": "Hasil pemeriksaan berkas",
        "unusable": "Berkas tidak dapat diperiksa",
        "archive_identical": "Berkas ini sama persis (byte demi byte) dengan dokumen di arsip.",
        "archive_earlier": "Berkas ini adalah revisi lebih awal dari dokumen di arsip (dokumen "
        "arsip memuat tambahan setelahnya, misalnya cap waktu arsip).",
        "archive_different": "Kode verifikasi berkas ini ada di arsip, tetapi berkasnya berbeda "
        "dari dokumen yang diarsipkan.",
        "archive_absent": "Kode verifikasi berkas ini tidak ada di arsip.",
        "see_archived": "Lihat dokumen di arsip",
        "error_title": "Permintaan ditolak",
        "too_large": "Berkas lebih besar dari {mb} MB.",
        "not_pdf": "Berkas bukan PDF.",
        "no_file": "Pilih berkas PDF terlebih dahulu.",
        "busy": "Server sedang memeriksa berkas lain. Coba lagi dalam beberapa detik.",
        "rate": "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
        "slow": "Unggahan terlalu lambat dan dihentikan. Coba lagi.",
        "back": "Kembali",
        "api": "API untuk sistem lain (OpenAPI)",
    },
    "en": {
        "portal": "Performance Agreement Verification Portal",
        "home_lead": "Check that an electronically signed Perjanjian Kinerja or Pakta Integritas "
        "is genuine: scan the QR code on the document, type its verification code, or upload "
        "its PDF file.",
        "code_label": "Verification code",
        "open": "Open",
        "upload_title": "Check a PDF file",
        "upload_lead": "Upload the PDF of a Perjanjian Kinerja or Pakta Integritas. It is checked "
        "with the archive's policy and not stored.",
        "file_label": "PDF file (at most {mb} MB)",
        "check": "Check",
        "other_lang": "Bahasa Indonesia",
        "verdict_VALID": "VALID",
        "verdict_INVALID": "NOT VALID",
        "verdict_INDETERMINATE": "CANNOT BE CONFIRMED YET",
        "explain_VALID": "This document is exactly as it was signed, and every signature is "
        "valid and trusted.",
        "explain_INVALID": "This document cannot be accepted: it changed after signing, or a "
        "signature is not valid. See the checks below.",
        "explain_INDETERMINATE": "Validity cannot be confirmed because proof is missing (such as "
        "a trusted root or revocation status). See the checks below.",
        "checked_at": "Last verified",
        "archived": "Archived",
        "document": "Document",
        "unit": "Unit",
        "year": "Year",
        "number": "Number",
        "parties": "Parties and signatures",
        "role_pihak-pertama": "First party (pihak pertama)",
        "role_pihak-kedua": "Second party (pihak kedua)",
        "signed_at": "Signed",
        "time_timestamp": "by a trusted timestamp",
        "time_claimed": "as claimed by the signer, no timestamp",
        "not_signed": "Not signed",
        "level": "Level",
        "targets": "Signed objectives, indicators and targets",
        "sasaran": "Objective (sasaran)",
        "indikator": "Indicator",
        "satuan": "Unit",
        "target": "Target",
        "triwulan": "Quarterly targets Q1–Q4",
        "programs": "Programs and budget",
        "program": "Program",
        "anggaran": "Budget",
        "total": "Total",
        "evaluation": "Latest evaluation",
        "periode": "Period",
        "realisasi": "Actual",
        "capaian": "Achievement",
        "kategori": "Category",
        "overall": "Overall achievement",
        "checks": "Checks",
        "passed": "passed",
        "failed": "failed",
        "replaced_by": "This agreement has been replaced by a revision (PK Perubahan)",
        "replaces": "This agreement replaces",
        "download": "Download the archived PDF",
        "not_found_title": "Not found",
        "not_found": "No document with that code is in the archive.",
        "result_title": "Result of the check",
        "unusable": "The file could not be checked",
        "archive_identical": "This file is byte for byte the archived document.",
        "archive_earlier": "This file is an earlier revision of the archived document (the "
        "archived one has additions after it, such as an archival timestamp).",
        "archive_different": "This file's verification code is in the archive, but the file "
        "differs from the archived document.",
        "archive_absent": "This file's verification code is not in the archive.",
        "see_archived": "See the archived document",
        "error_title": "Request refused",
        "too_large": "The file is larger than {mb} MB.",
        "not_pdf": "The file is not a PDF.",
        "no_file": "Choose a PDF file first.",
        "busy": "The server is checking other files. Try again in a few seconds.",
        "rate": "Too many requests. Try again shortly.",
        "slow": "The upload was too slow and was stopped. Try again.",
        "back": "Back",
        "api": "API for other systems (OpenAPI)",
    },
}


def pick_lang(query: str | None, cookie: str | None) -> str:
    """The page's language: the query, then the cookie, then Indonesian."""
    for choice in (query, cookie):
        if choice in LANGS:
            return choice
    return "id"
