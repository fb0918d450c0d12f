"""The first schema: archived agreements, their PDFs, verification history, evaluations.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

CODE = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "perjanjian",
        sa.Column("kode", CODE, primary_key=True),
        sa.Column("dokumen_id", sa.String(200), nullable=False),
        sa.Column("jenis", sa.String(40), nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("unit_kode", sa.String(100), nullable=False),
        sa.Column("unit_nama", sa.String(300), nullable=False),
        sa.Column("pihak_pertama", sa.String(300), nullable=False),
        sa.Column("pihak_kedua", sa.String(300), nullable=True),
        sa.Column("data_json", sa.LargeBinary, nullable=False),
        sa.Column("menggantikan", CODE, nullable=True),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("laporan_json", sa.Text, nullable=False),
        sa.Column("diverifikasi", WHEN, nullable=False),
        sa.Column("ditambahkan", WHEN, nullable=False),
        sa.Column("nama_berkas", sa.String(255), nullable=False),
        sa.Column("berkas_sha256", sa.String(64), nullable=False),
        sa.Column("ukuran", sa.BigInteger, nullable=False),
    )
    for column in ("dokumen_id", "tahun", "unit_kode", "menggantikan"):
        op.create_index(f"ix_perjanjian_{column}", "perjanjian", [column])
    op.create_table(
        "berkas",
        sa.Column(
            "kode", CODE, sa.ForeignKey("perjanjian.kode", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "riwayat_verifikasi",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "kode", CODE, sa.ForeignKey("perjanjian.kode", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("waktu", WHEN, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("alasan", sa.Text, nullable=True),
    )
    op.create_index("ix_riwayat_kode_waktu", "riwayat_verifikasi", ["kode", "waktu"])
    op.create_table(
        "evaluasi",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "kode", CODE, sa.ForeignKey("perjanjian.kode", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("periode", sa.String(20), nullable=False),
        sa.Column("dievaluasi", WHEN, nullable=False),
        sa.Column("capaian", sa.String(40), nullable=True),
        sa.Column("kategori", sa.String(40), nullable=True),
        sa.Column("hasil_json", sa.Text, nullable=False),
        sa.UniqueConstraint("kode", "periode", name="uq_evaluasi_kode_periode"),
    )


def downgrade() -> None:
    for table in ("evaluasi", "riwayat_verifikasi", "berkas", "perjanjian"):
        op.drop_table(table)
