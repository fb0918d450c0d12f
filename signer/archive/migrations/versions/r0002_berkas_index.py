"""An index on the archived file's digest: `archive add` looks each file up by it, to carry an
interrupted run on without verifying again what it archived.

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_perjanjian_berkas_sha256", "perjanjian", ["berkas_sha256"])


def downgrade() -> None:
    op.drop_index("ix_perjanjian_berkas_sha256", table_name="perjanjian")
