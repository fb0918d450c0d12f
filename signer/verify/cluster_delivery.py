"""A run's :class:`~signer.verify.cluster.ClusterJob` on every Dask worker, sent once.

The job carries every trust anchor (an archive's verifier trusts one root per pemerintah daerah:
142 KB pickled at 114 roots). Sent with each task, it crossed the scheduler with every document
and stayed in the scheduler's recent-message log and in each worker's stimulus log. A worker
plugin goes to the scheduler once, to every worker running, and to every worker that joins later
(one that replaces a lost worker); each task names its run's plugin only.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from distributed import WorkerPlugin

if TYPE_CHECKING:
    from signer.verify.cluster import ClusterJob

_JOBS: dict[str, ClusterJob] = {}
"""On a worker: the jobs of the runs under way, by their plugin's name."""


class JobDelivery(WorkerPlugin):
    """One run's job; on each worker it is set up on, the job is known by the plugin's name
    (one per run, so two runs sharing a cluster never end each other's job)."""

    def __init__(self, job: ClusterJob) -> None:
        self.job = job
        self.name = f"kinerja-job-{uuid.uuid4().hex}"

    def setup(self, worker: Any) -> None:
        _JOBS[self.name] = self.job

    def teardown(self, worker: Any) -> None:
        _JOBS.pop(self.name, None)


def delivered(name: str) -> ClusterJob | None:
    """The job this worker was given by the plugin ``name``, if it was."""
    return _JOBS.get(name)


def held() -> int:
    """How many runs' jobs this worker holds (each run's plugin is removed at its end)."""
    return len(_JOBS)
