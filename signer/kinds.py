"""The document kinds of a ceremony: one row each, everything else follows from the row.

A kind's row gives its value (in the embedded JSON and on the command line), its title as
printed, the prefix of its document ids, whether it carries targets (sasaran, indikator,
program), whether it revises an earlier agreement (and so carries ``perubahan_ke``), the
word(s) staff type in the ceremony workbook's Dokumen column, and the agreement-schema version
that introduced it. Its Word template is ``templates/<value>.docx``.

Adding a kind is one row here, a template, and example rows (CONTRIBUTING.md). Its ``since`` is
the next agreement-schema version: documents of the new kind carry that version, documents of
older kinds keep theirs, so an older kinerja still reads every older kind and says clearly that
a newer agreement needs a newer kinerja (see :mod:`signer.canonical`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Row:
    """One row of the kind table (see :class:`JenisDokumen` for what each field means)."""

    value: str
    judul: str
    id_prefix: str
    has_targets: bool
    revision: bool = False
    workbook_labels: tuple[str, ...] = ()
    since: int = 1
    single_signer: bool = False


class JenisDokumen(StrEnum):
    """The kind of document; each member is one row of the kind table."""

    _value_: str
    judul: str
    """The title as printed: "Perjanjian Kinerja"."""
    id_prefix: str
    """The start of the document id and file name: "pk" in "pk-2026-dinkes"."""
    has_targets: bool
    """Carries sasaran, indikator with targets, and programs (a Pakta Integritas does not)."""
    revision: bool
    """Revises an earlier agreement of the same unit and year: carries ``perubahan_ke``."""
    workbook_labels: tuple[str, ...]
    """What staff may type in the Unit sheet's Dokumen column (first: what kinerja writes);
    empty for a kind read from its own sheet (the Pakta Integritas)."""
    since: int
    """The agreement-schema version that introduced the kind."""
    single_signer: bool
    """Signed by pihak pertama alone (the kepala daerah's own PK): no pihak kedua, one
    signature field, one signature expected."""

    def __new__(cls, row: Row | str) -> JenisDokumen:
        # a str only for type checkers: a lookup JenisDokumen("perjanjian-kinerja") never gets here
        assert isinstance(row, Row)
        member = str.__new__(cls, row.value)
        member._value_ = row.value
        member.judul = row.judul
        member.id_prefix = row.id_prefix
        member.has_targets = row.has_targets
        member.revision = row.revision
        member.workbook_labels = row.workbook_labels
        member.since = row.since
        member.single_signer = row.single_signer
        return member

    PERJANJIAN_KINERJA = Row(
        "perjanjian-kinerja",
        judul="Perjanjian Kinerja",
        id_prefix="pk",
        has_targets=True,
        workbook_labels=("Perjanjian Kinerja", "PK"),
    )
    PERJANJIAN_KINERJA_PERUBAHAN = Row(
        "perjanjian-kinerja-perubahan",
        judul="Perjanjian Kinerja Perubahan",
        id_prefix="pkp",
        has_targets=True,
        revision=True,
        workbook_labels=("Perjanjian Kinerja Perubahan", "PK Perubahan"),
    )
    # the kepala daerah's own PK (PermenPAN-RB 53/2014; notes/domain.md 1.2-1.3): signed by the
    # bupati, wali kota or gubernur alone, for the whole pemerintah daerah
    PERJANJIAN_KINERJA_KEPALA_DAERAH = Row(
        "perjanjian-kinerja-kepala-daerah",
        judul="Perjanjian Kinerja",
        id_prefix="pkd",
        has_targets=True,
        workbook_labels=("PK Kepala Daerah", "Perjanjian Kinerja Kepala Daerah"),
        since=2,
        single_signer=True,
    )
    PAKTA_INTEGRITAS = Row(
        "pakta-integritas", judul="Pakta Integritas", id_prefix="pi", has_targets=False
    )

    @property
    def template(self) -> str:
        """The file name of its built-in Word template."""
        return f"{self.value}.docx"

    @property
    def workbook_label(self) -> str | None:
        """What kinerja writes in the Dokumen column for this kind (None: not in that column)."""
        return self.workbook_labels[0] if self.workbook_labels else None


def schema_version() -> int:
    """The newest agreement-schema version this kinerja writes and reads."""
    return max(k.since for k in JenisDokumen)


def in_unit_sheet() -> tuple[JenisDokumen, ...]:
    """The kinds chosen per unit in the workbook's Dokumen column."""
    return tuple(k for k in JenisDokumen if k.workbook_labels)
