"""Databases for the archive's tests: a fresh SQLite file, and a fresh PostgreSQL database on
the server $KINERJA_TEST_POSTGRES names (`.ci/run` starts one), dropped after the test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "KINERJA_TEST_POSTGRES"


def pk_and_revision() -> tuple[bytes, bytes]:
    """The canonical JSON of the example's first Perjanjian Kinerja and of a PK Perubahan that
    replaces it (naming it by id and code, as a signed revision does)."""
    import dataclasses

    from signer import canonical
    from signer.example.workspace import ceremony
    from signer.kinds import JenisDokumen
    from signer.model import Rujukan

    original = next(a for a in ceremony().agreements if a.jenis.has_targets)
    data = canonical.to_json(original)
    revision = dataclasses.replace(
        original,
        jenis=JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
        perubahan_ke=1,
        alasan_perubahan="Penyesuaian target setelah refocusing anggaran",
        menggantikan=Rujukan(original.id, canonical.digest(data)),
    )
    return data, canonical.to_json(revision)


def backends() -> list[object]:
    """The registry backends a test runs on: SQLite always, PostgreSQL when configured."""
    return [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not os.environ.get(POSTGRES_ENV), reason=f"${POSTGRES_ENV} not set"
            ),
        ),
    ]


def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of ``backend``, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'arsip.sqlite'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(os.environ[POSTGRES_ENV]).set(drivername="postgresql+psycopg")
    name = f"kinerja_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
