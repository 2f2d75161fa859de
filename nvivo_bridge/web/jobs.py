"""Background jobs (reading a project, writing a download) with progress and cancellation.

Each job runs in its own thread; the page polls ``/api/jobs/<id>``.  Cancelling sets a flag that
the writer's ``progress(done, total)`` callback checks: the next tick raises :class:`JobCancelled`
inside the writer, whose atomic output (``_io.atomic_file``/``atomic_dir``) then removes the
half-written file.  Steps without a progress callback (reading, the CIPP summary) check the flag
between steps; a cancelled read's project is dropped when it arrives.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

__all__ = ["Job", "JobCancelled", "Jobs"]


class JobCancelled(Exception):
    """Raised inside a job (from its progress callback) once the user cancelled it."""


@dataclass
class Job:
    """One background task of one workspace: its state, progress and result."""

    id: str
    workspace: str
    kind: str
    label: str
    status: str = "running"          # running | done | failed | cancelled
    done: int = 0
    total: int = 0
    error: Optional[str] = None
    result: Any = None
    started: float = field(default_factory=time.monotonic)
    finished: Optional[float] = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int) -> None:
        """The ``progress(done, total)`` callback handed to writers; raises once cancelled."""
        self.check()
        self.done, self.total = done, total

    def check(self) -> None:
        """Raise :class:`JobCancelled` if the user asked to cancel."""
        if self.cancel_event.is_set():
            raise JobCancelled()

    def cancel(self) -> None:
        """Ask the job to stop at its next progress tick or step."""
        self.cancel_event.set()

    def as_json(self) -> dict:
        """What the page shows: state, percentage (None when unknown), seconds, error."""
        pct = round(100 * self.done / self.total) if self.total else None
        end = self.finished or time.monotonic()
        out = {"id": self.id, "workspace": self.workspace, "kind": self.kind, "label": self.label,
               "status": self.status, "percent": pct, "seconds": round(end - self.started, 1),
               "error": self.error}
        if isinstance(self.result, dict):
            out.update({k: v for k, v in self.result.items() if k in ("url", "file", "ledger", "redirect")})
        return out


class Jobs:
    """Every job of this server run, by id; each runs ``work(job)`` in a daemon thread."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, workspace: str, kind: str, label: str, work: Callable[[Job], Any],
              describe_error: Callable[[BaseException], str]) -> Job:
        """Start ``work(job)``; its return value becomes ``job.result``, an exception ``job.error``
        (through ``describe_error``), :class:`JobCancelled` the ``cancelled`` state."""
        job = Job(secrets.token_hex(8), workspace, kind, label)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            try:
                result = work(job)
                job.check()
                job.result, job.status = result, "done"
            except JobCancelled:
                job.status = "cancelled"
            except BaseException as exc:  # noqa: BLE001 - shown on the page, never a traceback
                job.error, job.status = describe_error(exc), "failed"
            finally:
                job.finished = time.monotonic()

        threading.Thread(target=run, name=f"nvivo-bridge-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Optional[Job]:
        """The job of that id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def of_workspace(self, workspace: str) -> list[Job]:
        """The jobs of one workspace, newest first."""
        with self._lock:
            return sorted((j for j in self._jobs.values() if j.workspace == workspace),
                          key=lambda j: j.started, reverse=True)

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until the job has finished (tests and the benchmark); returns it."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.status == "running" and time.monotonic() < deadline:
            time.sleep(0.02)
        if job is None:
            raise KeyError(job_id)
        return job
