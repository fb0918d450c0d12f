"""Alembic's environment: always given a live connection by ``signer.archive.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from signer.archive.tables import Base

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
