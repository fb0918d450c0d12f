"""The archive: a registry of signed agreements (SQLite in the workspace, or PostgreSQL when
shared), filled by ``kinerja archive add`` and read by the portal."""

from signer.archive.db import DB_FILE, default_url, shown_url, workspace_of
from signer.archive.ops import (
    Added,
    Reverified,
    ReverifyRun,
    add_stream,
    plan_reverify,
    reverify,
    reverify_on_cluster,
    store_evaluation,
)
from signer.archive.registry import (
    ArchivedAgreement,
    ArchivedEvaluation,
    HistoryEntry,
    Registry,
    Stored,
    normalise_code,
    open_registry,
)

__all__ = [
    "DB_FILE",
    "Added",
    "ArchivedAgreement",
    "ArchivedEvaluation",
    "HistoryEntry",
    "Registry",
    "Reverified",
    "ReverifyRun",
    "Stored",
    "add_stream",
    "default_url",
    "normalise_code",
    "open_registry",
    "plan_reverify",
    "reverify",
    "reverify_on_cluster",
    "shown_url",
    "store_evaluation",
    "workspace_of",
]
