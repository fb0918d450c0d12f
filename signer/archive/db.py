"""Opening the registry's database: SQLite in the workspace by default, PostgreSQL when shared.

The schema is brought to Alembic's head whenever the registry is opened for writing; the web
opens it read-only (SQLite in ``mode=ro``, PostgreSQL in read-only transactions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from signer.errors import InputError

DB_FILE = "arsip.sqlite"
"""The registry of a workspace: a file beside its workbook."""
WORKSPACE_MARKERS = ("kinerja.xlsx", DB_FILE)
MIGRATIONS = Path(__file__).parent / "migrations"


def default_url(workspace: Path) -> str:
    return f"sqlite:///{(workspace / DB_FILE).resolve()}"


def workspace_of(path: Path) -> Path:
    """The workspace a file or folder belongs to: its nearest folder (itself included) holding
    a workbook or a registry; the current folder when none does."""
    start = path.resolve()
    for folder in [start, *start.parents] if start.is_dir() else list(start.parents):
        if any((folder / m).exists() for m in WORKSPACE_MARKERS):
            return folder
    return Path.cwd()


def shown_url(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"--db: not a database URL: {shown_url(url)}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"--db {shown_url(url)}: kinerja keeps its archive in SQLite or PostgreSQL"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
    return parsed


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    parsed = parse_url(url)
    args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ""
        if not db or db == ":memory:":
            raise InputError("--db: an SQLite archive is a file (sqlite:///path/arsip.sqlite)")
        path = Path(db)
        if read_only:
            if not path.is_file():
                raise InputError(f"{path}: no archive here yet (`kinerja archive add` makes it)")
            # a URI so that SQLite itself refuses writes, whatever the code above asks
            parsed = parsed.set(database=f"file:{path}?mode=ro", query={"uri": "true"})
        elif not path.parent.is_dir():
            raise InputError(f"{path.parent}: no such folder for the archive")
        args["connect_args"] = {"timeout": 30}
    else:
        args["pool_pre_ping"] = True
        if read_only:
            args["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    try:
        engine = create_engine(parsed, **args)
    except NoSuchModuleError as e:
        raise InputError(f"--db {shown_url(url)}: {e}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the head revision (a new database gets every table)."""
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                # readers (the web) go on while the CLI writes
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            config = _config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as e:
        raise InputError(f"archive {shown_url(str(engine.url))}: {_first_line(e)}") from None


def check_schema(engine: Engine) -> None:
    """A read-only registry must already be at the head revision this kinerja knows."""
    try:
        have = current_revision(engine)
    except SQLAlchemyError as e:
        raise InputError(f"archive {shown_url(str(engine.url))}: {_first_line(e)}") from None
    if have != head_revision():
        raise InputError(
            f"archive {shown_url(str(engine.url))}: schema {have or 'empty'}, this kinerja "
            f"needs {head_revision()}; run `kinerja archive list` once to migrate it"
        )


def _first_line(e: Exception) -> str:
    text = str(getattr(e, "orig", None) or e).strip().splitlines()
    return text[0] if text else e.__class__.__name__
