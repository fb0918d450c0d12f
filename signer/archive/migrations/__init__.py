"""Alembic migrations of the registry's schema (run by ``signer.archive.db.migrate``)."""
