"""The registry of signed agreements: what is archived, read and written through SQLAlchemy.

Everything is keyed by the verification code (the SHA-256 of the embedded JSON, the code every
page prints). One file per code: the same file again changes nothing, a later revision of the
archived file (the same bytes and more, e.g. an archival timestamp) replaces it, and any other
file with the same code is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from signer import canonical
from signer.archive import db
from signer.archive.tables import Berkas, Evaluasi, Perjanjian, Riwayat
from signer.errors import InputError
from signer.model import Agreement

_HEX64 = re.compile(r"[0-9a-f]{64}")


def normalise_code(text: str) -> str | None:
    """A verification code as typed or printed (any case, grouped by spaces or dashes) as 64
    lowercase hex; None for anything else."""
    if len(text) > 200:
        return None
    code = re.sub(r"[\s\-]", "", text).lower()
    return code if _HEX64.fullmatch(code) else None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _utc(when: dt.datetime) -> dt.datetime:
    """A time to compare with stored ones: SQLite compares the UTC wall time it keeps."""
    return _aware(when).astimezone(dt.UTC)


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)  # SQLite keeps no zone


@dataclass(frozen=True)
class ArchivedAgreement:
    code: str
    """The verification code: SHA-256 of the embedded JSON, 64 lowercase hex."""
    id: str
    jenis: str
    tahun: int
    unit_kode: str
    unit_nama: str
    agreement_json: bytes
    verdict: str
    report: dict[str, Any]
    """``Report.as_dict()`` of the last verification."""
    verified_at: dt.datetime
    added_at: dt.datetime
    file_name: str
    file_sha256: str
    file_size: int
    menggantikan: str | None
    """The code of the agreement this revision replaces."""

    @property
    def agreement(self) -> Agreement:
        return canonical.from_json(self.agreement_json)


@dataclass(frozen=True)
class ArchivedEvaluation:
    code: str
    periode: str
    evaluated_at: dt.datetime
    capaian: Decimal | None
    kategori: str | None
    result: dict[str, Any]
    """``AgreementResult.as_dict()``."""


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    verdict: str
    reason: str | None


class Stored(StrEnum):
    ADDED = "added"
    SAME = "same"  # this very file is archived already
    REPLACED = "replaced"  # a later revision of the archived file took its place
    CONFLICT = "conflict"  # another file with this code is archived; nothing changed


def _archived(row: Perjanjian) -> ArchivedAgreement:
    return ArchivedAgreement(
        row.kode,
        row.dokumen_id,
        row.jenis,
        row.tahun,
        row.unit_kode,
        row.unit_nama,
        row.data_json,
        row.verdict,
        json.loads(row.laporan_json),
        _aware(row.diverifikasi),
        _aware(row.ditambahkan),
        row.nama_berkas,
        row.berkas_sha256,
        row.ukuran,
        row.menggantikan,
    )


def _evaluation(row: Evaluasi) -> ArchivedEvaluation:
    return ArchivedEvaluation(
        row.kode,
        row.periode,
        _aware(row.dievaluasi),
        Decimal(row.capaian) if row.capaian is not None else None,
        row.kategori,
        json.loads(row.hasil_json),
    )


class Registry:
    """The archive behind one database URL."""

    def __init__(self, engine: Engine, read_only: bool) -> None:
        self.engine = engine
        self.read_only = read_only

    @property
    def url(self) -> str:
        return db.shown_url(str(self.engine.url))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # reading

    def find(self, code: str) -> ArchivedAgreement | None:
        key = normalise_code(code)
        if key is None:
            return None
        with self._session() as s:
            row = s.get(Perjanjian, key)
            return _archived(row) if row else None

    def find_file(self, file_sha256: str) -> ArchivedAgreement | None:
        """The agreement archived as exactly the file of this SHA-256 (hex), if any."""
        with self._session() as s:
            row = s.scalars(
                select(Perjanjian).where(Perjanjian.berkas_sha256 == file_sha256.lower())
            ).first()
            return _archived(row) if row else None

    def pdf(self, code: str) -> bytes | None:
        key = normalise_code(code)
        if key is None:
            return None
        with self._session() as s:
            row = s.get(Berkas, key)
            return row.pdf if row else None

    def replaced_by(self, code: str) -> ArchivedAgreement | None:
        """The latest archived revision that replaces this agreement, if any."""
        key = normalise_code(code)
        if key is None:
            return None
        with self._session() as s:
            rows = s.scalars(select(Perjanjian).where(Perjanjian.menggantikan == key)).all()
            return _archived(max(rows, key=_revision_order)) if rows else None

    def latest_evaluation(self, code: str) -> ArchivedEvaluation | None:
        """The most recent evaluation of any periode."""
        key = normalise_code(code)
        if key is None:
            return None
        with self._session() as s:
            row = s.scalars(
                select(Evaluasi)
                .where(Evaluasi.kode == key)
                .order_by(Evaluasi.dievaluasi.desc(), Evaluasi.id.desc())
                .limit(1)
            ).first()
            return _evaluation(row) if row else None

    def evaluations(self, code: str) -> list[ArchivedEvaluation]:
        key = normalise_code(code) or ""
        with self._session() as s:
            rows = s.scalars(
                select(Evaluasi).where(Evaluasi.kode == key).order_by(Evaluasi.periode)
            ).all()
            return [_evaluation(r) for r in rows]

    def history(self, code: str) -> list[HistoryEntry]:
        key = normalise_code(code) or ""
        with self._session() as s:
            rows = s.scalars(
                select(Riwayat).where(Riwayat.kode == key).order_by(Riwayat.waktu, Riwayat.id)
            ).all()
            return [HistoryEntry(_aware(r.waktu), r.verdict, r.alasan) for r in rows]

    def agreements(
        self, tahun: int | None = None, unit: str | None = None
    ) -> list[ArchivedAgreement]:
        query = select(Perjanjian).order_by(
            Perjanjian.tahun, Perjanjian.unit_kode, Perjanjian.dokumen_id
        )
        if tahun is not None:
            query = query.where(Perjanjian.tahun == tahun)
        if unit is not None:
            query = query.where(Perjanjian.unit_kode == unit)
        with self._session() as s:
            return [_archived(r) for r in s.scalars(query).all()]

    def codes(self, verified_before: dt.datetime | None = None) -> list[str]:
        """Every archived code, or those whose last verification is older than
        ``verified_before``."""
        query = select(Perjanjian.kode).order_by(Perjanjian.kode)
        if verified_before is not None:
            query = query.where(Perjanjian.diverifikasi < _utc(verified_before))
        with self._session() as s:
            return list(s.scalars(query).all())

    def verdicts_since(self, when: dt.datetime) -> dict[str, int]:
        """How many archived agreements were last verified at or after ``when``, by verdict
        (their reports are not read)."""
        query = (
            select(Perjanjian.verdict, func.count())
            .where(Perjanjian.diverifikasi >= _utc(when))
            .group_by(Perjanjian.verdict)
        )
        with self._session() as s:
            return {verdict: count for verdict, count in s.execute(query).tuples()}

    # writing (the CLI's job; the web opens the registry read-only)

    def store(
        self,
        pdf: bytes,
        file_name: str,
        report: dict[str, Any],
        verdict: str,
        agreement_json: bytes,
    ) -> Stored:
        """Archive a verified agreement's file (see the module's rules for a code already
        archived)."""
        agreement = canonical.from_json(agreement_json)
        code = canonical.digest(agreement_json)
        file_sha256 = hashlib.sha256(pdf).hexdigest()
        when = now()
        with self._write() as s:
            row = s.get(Perjanjian, code)
            if row is not None:
                if row.berkas_sha256 == file_sha256:
                    return Stored.SAME
                old = s.get(Berkas, code)
                if old is None or not pdf.startswith(old.pdf):
                    return Stored.CONFLICT
                s.get_one(Berkas, code).pdf = pdf
                status = Stored.REPLACED
            else:
                row = Perjanjian(kode=code, ditambahkan=when)
                s.add(row)
                status = Stored.ADDED
            kedua = agreement.pihak_kedua
            row.dokumen_id = agreement.id
            row.jenis = agreement.jenis.value
            row.tahun = agreement.tahun
            row.unit_kode = agreement.unit.kode
            row.unit_nama = agreement.unit.nama
            row.pihak_pertama = agreement.pihak_pertama.nama
            row.pihak_kedua = kedua.nama if kedua else None
            row.data_json = agreement_json
            row.menggantikan = agreement.menggantikan.sha256 if agreement.menggantikan else None
            row.nama_berkas = file_name[-255:]
            row.berkas_sha256 = file_sha256
            row.ukuran = len(pdf)
            _verified(s, row, verdict, report, when)
            if status is Stored.ADDED:
                s.add(Berkas(kode=code, pdf=pdf))
        return status

    def record_verification(self, code: str, verdict: str, report: dict[str, Any]) -> None:
        with self._write() as s:
            _verified(s, s.get_one(Perjanjian, code), verdict, report, now())

    def store_evaluation(
        self,
        code: str,
        periode: str,
        capaian: Decimal | None,
        kategori: str | None,
        result: dict[str, Any],
    ) -> bool:
        """The evaluation of one periode, replacing an earlier one; False when the agreement is
        not archived."""
        with self._write() as s:
            if s.get(Perjanjian, code) is None:
                return False
            row = s.scalars(
                select(Evaluasi).where(Evaluasi.kode == code, Evaluasi.periode == periode)
            ).first()
            if row is None:
                row = Evaluasi(kode=code, periode=periode)
                s.add(row)
            row.dievaluasi = now()
            row.capaian = canonical.decimal_text(capaian) if capaian is not None else None
            row.kategori = kategori
            row.hasil_json = json.dumps(result, ensure_ascii=False, default=str)
        return True

    def _write(self) -> _WriteSession:
        if self.read_only:
            raise InputError(f"archive {self.url} is open read-only")
        return _WriteSession(self._session())


class _WriteSession:
    """A session committed when its block ends well, rolled back otherwise; database errors
    become one line of bad input."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: object
    ) -> None:
        try:
            if kind is None:
                self.session.commit()
            else:
                self.session.rollback()
        except SQLAlchemyError as e:
            raise InputError(f"archive: {str(e).splitlines()[0]}") from None
        finally:
            self.session.close()


def _verified(
    s: Session, row: Perjanjian, verdict: str, report: dict[str, Any], when: dt.datetime
) -> None:
    row.verdict = verdict
    row.laporan_json = json.dumps(report, ensure_ascii=False)
    row.diverifikasi = when
    failed = [c for c in report.get("checks", []) if not c.get("passed")]
    reason = "; ".join(f"{c['name']}: {c['reason']}" for c in failed[:3]) or None
    s.flush()  # the agreement's row before the rows that refer to it
    s.add(Riwayat(kode=row.kode, waktu=when, verdict=verdict, alasan=reason))


def _revision_order(row: Perjanjian) -> tuple[int, dt.datetime]:
    return (canonical.from_json(row.data_json).perubahan_ke or 0, _aware(row.ditambahkan))


def open_registry(url: str, *, read_only: bool = False) -> Registry:
    """The registry at ``url``, migrated to the current schema unless opened read-only."""
    engine = db.make_engine(url, read_only=read_only)
    if read_only:
        db.check_schema(engine)
    else:
        db.migrate(engine)
    return Registry(engine, read_only)
