"""The registry's tables (SQLAlchemy 2, the same for SQLite and PostgreSQL).

The schema is owned by the Alembic migrations in ``migrations/versions``; these classes describe
the head revision, and a test checks that the two agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

CODE = String(64)  # a verification code: the SHA-256 of the embedded JSON, lowercase hex


class Base(DeclarativeBase):
    pass


class Perjanjian(Base):
    """One archived agreement, keyed by its verification code."""

    __tablename__ = "perjanjian"

    kode: Mapped[str] = mapped_column(CODE, primary_key=True)
    dokumen_id: Mapped[str] = mapped_column(String(200), index=True)
    jenis: Mapped[str] = mapped_column(String(40))
    tahun: Mapped[int] = mapped_column(Integer, index=True)
    unit_kode: Mapped[str] = mapped_column(String(100), index=True)
    unit_nama: Mapped[str] = mapped_column(String(300))
    pihak_pertama: Mapped[str] = mapped_column(String(300))
    pihak_kedua: Mapped[str | None] = mapped_column(String(300))
    data_json: Mapped[bytes] = mapped_column(LargeBinary)
    """The embedded canonical JSON, byte for byte."""
    menggantikan: Mapped[str | None] = mapped_column(CODE, index=True)
    """The code of the agreement this revision replaces (it need not be archived)."""
    verdict: Mapped[str] = mapped_column(String(20))
    laporan_json: Mapped[str] = mapped_column(Text)
    """The last verification's report (``Report.as_dict()``) as JSON."""
    diverifikasi: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ditambahkan: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    nama_berkas: Mapped[str] = mapped_column(String(255))
    berkas_sha256: Mapped[str] = mapped_column(String(64), index=True)
    ukuran: Mapped[int] = mapped_column(BigInteger)


class Berkas(Base):
    """The archived PDF's bytes, apart so that listing the archive does not read them."""

    __tablename__ = "berkas"

    kode: Mapped[str] = mapped_column(
        CODE, ForeignKey("perjanjian.kode", ondelete="CASCADE"), primary_key=True
    )
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class Riwayat(Base):
    """Every verification of an archived agreement: when, with which verdict (the audit trail
    of re-verifications, e.g. after a revocation)."""

    __tablename__ = "riwayat_verifikasi"
    __table_args__ = (Index("ix_riwayat_kode_waktu", "kode", "waktu"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode: Mapped[str] = mapped_column(CODE, ForeignKey("perjanjian.kode", ondelete="CASCADE"))
    waktu: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    verdict: Mapped[str] = mapped_column(String(20))
    alasan: Mapped[str | None] = mapped_column(Text)


class Evaluasi(Base):
    """The latest evaluation of an agreement for one periode (tahunan, TW1..TW4)."""

    __tablename__ = "evaluasi"
    __table_args__ = (UniqueConstraint("kode", "periode", name="uq_evaluasi_kode_periode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode: Mapped[str] = mapped_column(CODE, ForeignKey("perjanjian.kode", ondelete="CASCADE"))
    periode: Mapped[str] = mapped_column(String(20))
    dievaluasi: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    capaian: Mapped[str | None] = mapped_column(String(40))
    """Percent, exact decimal text (unrounded)."""
    kategori: Mapped[str | None] = mapped_column(String(40))
    hasil_json: Mapped[str] = mapped_column(Text)
    """``AgreementResult.as_dict()`` as JSON."""
