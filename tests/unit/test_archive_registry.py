"""The registry's rules, on SQLite and (with $KINERJA_TEST_POSTGRES) PostgreSQL: one file per
verification code, later revisions replace, other files are refused, evaluations per periode,
revisions linked, the web's read-only view refuses writes."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect

from signer import canonical
from signer.archive import Stored, normalise_code, open_registry
from signer.archive.db import current_revision, head_revision
from signer.archive.tables import Base
from signer.errors import InputError
from signer.example.workspace import ceremony
from tests.archive_db import backends, fresh_database, pk_and_revision

REPORT = {"verdict": "VALID", "checks": [{"name": "x", "passed": True, "reason": "ok"}]}


@pytest.fixture(params=backends())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path)


def _pk() -> tuple[bytes, str]:
    a = next(a for a in ceremony().agreements if a.jenis.has_targets)
    data = canonical.to_json(a)
    return data, canonical.digest(data)


def test_a_new_database_gets_the_head_schema_and_the_tables_match_the_models(url: str) -> None:
    with open_registry(url) as r:
        assert current_revision(r.engine) == head_revision() is not None
        tables = set(inspect(r.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        for name, table in Base.metadata.tables.items():
            columns = {c["name"] for c in inspect(r.engine).get_columns(name)}
            assert columns == {c.name for c in table.columns}, name
    with open_registry(url) as again:  # opening again migrates nothing and loses nothing
        assert again.codes() == []


def test_an_archive_of_the_first_schema_is_upgraded_with_what_it_holds(url: str) -> None:
    from alembic import command

    from signer.archive import db

    data, code = _pk()
    engine = db.make_engine(url)
    with engine.begin() as connection:
        config = db._config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    with open_registry(url) as r:
        assert current_revision(r.engine) == head_revision() != "0001"
        r.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
        indexes = {i["name"] for i in inspect(r.engine).get_indexes("perjanjian")}
        assert "ix_perjanjian_berkas_sha256" in indexes
        found = r.find_file(hashlib.sha256(b"%PDF-pk").hexdigest().upper())
        assert found is not None and found.code == code
        assert r.find_file(hashlib.sha256(b"%PDF-other").hexdigest()) is None


def test_one_file_per_code_same_is_a_no_op_a_later_revision_replaces_another_is_refused(
    url: str,
) -> None:
    data, code = _pk()
    pdf = b"%PDF-1.7 signed once"
    with open_registry(url) as r:
        assert r.store(pdf, "pk.pdf", REPORT, "VALID", data) is Stored.ADDED
        first = r.find(code)
        assert first is not None and first.file_sha256 == hashlib.sha256(pdf).hexdigest()
        assert r.store(pdf, "pk.pdf", REPORT, "VALID", data) is Stored.SAME
        assert len(r.history(code)) == 1
        extended = pdf + b"\n% an archival timestamp"
        assert r.store(extended, "pk.pdf", REPORT, "VALID", data) is Stored.REPLACED
        assert r.pdf(code) == extended
        assert r.store(b"%PDF-1.7 signed by someone else", "x.pdf", REPORT, "VALID", data) is (
            Stored.CONFLICT
        )
        assert r.pdf(code) == extended and len(r.codes()) == 1
        found = r.find(code.upper()[:32] + " " + code.upper()[32:])
        assert found is not None and found.id == first.id and found.agreement == first.agreement
        assert found.added_at == first.added_at


@pytest.mark.parametrize(
    "text,expected",
    [
        ("AB" * 32, "ab" * 32),
        ("abcd " * 16, "abcd" * 16),
        ("abcd-" * 16, "abcd" * 16),
        ("ab" * 31, None),
        ("zz" * 32, None),
        ("../../etc/passwd", None),
        ("ab" * 500, None),
    ],
)
def test_a_code_is_64_hex_however_it_was_typed(text: str, expected: str | None) -> None:
    assert normalise_code(text) == expected


def test_a_revision_is_linked_to_the_agreement_it_replaces(url: str) -> None:
    data, revised = pk_and_revision()
    code = canonical.digest(data)
    with open_registry(url) as r:
        assert r.replaced_by(code) is None
        # the revision may be archived first: the link is by code
        r.store(b"%PDF-r1", "pk-r1.pdf", REPORT, "VALID", revised)
        r.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
        replacing = r.replaced_by(code)
        assert replacing is not None and replacing.code == canonical.digest(revised)
        assert replacing.menggantikan == code


def test_evaluations_are_kept_per_periode_the_latest_replacing(url: str) -> None:
    data, code = _pk()
    with open_registry(url) as r:
        assert not r.store_evaluation(code, "tahunan", Decimal("90"), "Tinggi", {})
        r.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
        assert r.store_evaluation(code, "tw1", Decimal("80.5"), "Tinggi", {"periode": "tw1"})
        assert r.store_evaluation(code, "tahunan", Decimal("70"), "Sedang", {"n": 1})
        assert r.store_evaluation(code, "tahunan", Decimal("91.25"), "Sangat Tinggi", {"n": 2})
        kept = {e.periode: e for e in r.evaluations(code)}
        assert set(kept) == {"tw1", "tahunan"}
        assert kept["tahunan"].capaian == Decimal("91.25") and kept["tahunan"].result == {"n": 2}
        latest = r.latest_evaluation(code)
        assert latest is not None and latest.periode == "tahunan"


def test_reverification_is_recorded_with_its_reason(url: str) -> None:
    data, code = _pk()
    failed = {"checks": [{"name": "certificate-trust", "passed": False, "reason": "revoked"}]}
    with open_registry(url) as r:
        r.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
        r.record_verification(code, "INVALID", failed)
        row = r.find(code)
        assert row is not None and row.verdict == "INVALID" and row.report == failed
        assert [(h.verdict, h.reason) for h in r.history(code)] == [
            ("VALID", None),
            ("INVALID", "certificate-trust: revoked"),
        ]


def test_a_run_interrupted_is_carried_on_by_the_agreements_not_verified_since_it_started(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from signer.archive import ops, plan_reverify
    from signer.archive import registry as registry_module

    data, revised = pk_and_revision()
    clock = [dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)]
    for module in (registry_module, ops):  # the run's start and the records: one clock
        monkeypatch.setattr(module, "now", lambda: clock[0])
    with open_registry(url) as r:
        r.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
        r.store(b"%PDF-r1", "pk-r1.pdf", REPORT, "VALID", revised)
        first, second = sorted(r.codes())
        clock[0] = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
        run = plan_reverify(r)
        assert (run.started, run.todo, run.done) == (clock[0], [first, second], {})
        r.record_verification(first, "INVALID", REPORT)  # the run, interrupted after one
        # the same start, as the run printed it, in another zone: 17:00 in Jakarta
        started = dt.datetime.fromisoformat("2026-12-01T17:00:00+07:00")
        rest = plan_reverify(r, started)
        assert (rest.todo, rest.done, rest.total) == ([second], {"INVALID": 1}, 2)
        later = started + dt.timedelta(seconds=1)
        assert r.codes(verified_before=later) == [first, second]
        assert r.verdicts_since(later) == {}
        r.record_verification(second, "VALID", REPORT)
        done = plan_reverify(r, started)
        assert (done.todo, done.done) == ([], {"INVALID": 1, "VALID": 1})


def test_the_read_only_registry_refuses_writes_and_an_unmigrated_database(
    url: str, tmp_path: Path
) -> None:
    data, code = _pk()
    with open_registry(url) as r:
        r.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
    with open_registry(url, read_only=True) as ro:
        assert ro.find(code) is not None
        with pytest.raises(InputError, match="read-only"):
            ro.store(b"%PDF-x", "x.pdf", REPORT, "VALID", data)
    empty = tmp_path / "leeg.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="schema"):
        open_registry(f"sqlite:///{empty}", read_only=True)
    with pytest.raises(InputError, match="no archive"):
        open_registry(f"sqlite:///{tmp_path / 'missing.sqlite'}", read_only=True)


def test_a_database_url_that_is_not_sqlite_or_postgresql_is_bad_input() -> None:
    with pytest.raises(InputError, match="SQLite or PostgreSQL"):
        open_registry("mysql://u@h/db")
    with pytest.raises(InputError, match="not a database URL"):
        open_registry("::::")
