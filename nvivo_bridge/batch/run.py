"""Running a planned batch: the per-file task, a process pool runner and a Dask runner.

The task (:func:`run_task`) never raises: every error becomes a ``failed`` row with a one-line
message, so one bad file never stops the others.  Outputs are written by the atomic writers, so an
interrupted or failed conversion leaves no half-written file.
"""
from __future__ import annotations

import collections
import concurrent.futures as cf
import concurrent.futures.process
import contextlib
import dataclasses
import functools
import multiprocessing
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

from ..errors import NvivoBridgeError, UsageError
from .plan import Plan, Result, Task, write_report

__all__ = ["run_task", "run_pool", "run_dask", "run_batch", "Outcome", "INTERRUPTED", "NOT_RUN_FAIL_FAST",
           "FINISHED_AT_CTRL_C"]

INTERRUPTED = "interrupted (Ctrl-C) before it finished"
FINISHED_AT_CTRL_C = "finished as Ctrl-C came (output complete; warnings not counted)"
NOT_RUN_FAIL_FAST = "not run: --fail-fast stopped the batch after a failure"
OnResult = Optional[Callable[[Result], None]]


@dataclass
class Outcome:
    """The rows of a batch in plan order, and whether it was interrupted or stopped by --fail-fast."""

    results: list[Result]
    interrupted: bool = False
    stopped: bool = False
    report: Optional[Path] = None

    def count(self, status: str) -> int:
        """Rows with ``status``."""
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> int:
        """Rows that failed."""
        return self.count("failed")


def _one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, NvivoBridgeError) else f"internal error ({type(exc).__name__}: {exc})"
    return " ".join(text.split())


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """In a pool worker SIGINT only sets ``_STOP`` between tasks; while a task runs, Ctrl-C interrupts
    it so the atomic writers drop their temp files."""
    if threading.current_thread() is not threading.main_thread():
        yield   # Dask threads: signals belong to the main thread
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_task(task: Task) -> Result:
    """Convert one input; return its report row.  Never raises (errors → ``failed`` + message)."""
    from ..api import convert
    from ..options import WriteOptions

    if _STOP.is_set():   # Ctrl-C reached this worker while idle: the batch is stopping, do not start
        return Result(task.input, task.output, "skipped", error=INTERRUPTED)
    start, wall = time.perf_counter(), time.time()
    existed = os.path.lexists(task.output)
    row = Result(task.input, task.output, "failed")
    try:
        with _interruptible():
            Path(task.output).parent.mkdir(parents=True, exist_ok=True)
            opts = WriteOptions(**{k: v for k, v in task.write.items() if k != "extra"})
            opts.extra.update(task.write.get("extra", {}))
            ledger = convert(task.input, task.output, from_format=task.from_format, to_format=task.to_format,
                             positions=task.positions, strict=task.strict, force=task.force,
                             write_options=opts)
        row.warnings = sum(i.level != "info" for i in ledger.issues) + len(ledger.lost())
        row.status = "warnings" if row.warnings else "ok"
    except KeyboardInterrupt:
        if _wrote(task.output, existed, wall):
            # Ctrl-C came after the atomic rename: the output is complete, so it counts as done.
            row.status, row.error = "ok", FINISHED_AT_CTRL_C
        else:
            row.status, row.error = "skipped", INTERRUPTED
    except BaseException as exc:  # noqa: BLE001 - one bad file never stops the batch
        row.error = _one_line(exc)
    row.seconds = round(time.perf_counter() - start, 3)
    return row


def _wrote(output: str, existed: bool, since: float) -> bool:
    try:
        mtime = os.stat(output).st_mtime
        return not existed or mtime >= since
    except OSError:
        return False


_STOP = threading.Event()


def _idle_sigint(signum, frame) -> None:
    _STOP.set()


def _init_worker(formats: Sequence[str]) -> None:
    """Pool initializer: Ctrl-C between tasks only marks the worker as stopping (an idle worker must
    not die with a traceback), and the heavy modules are imported once per worker."""
    signal.signal(signal.SIGINT, _idle_sigint)
    from .. import api  # noqa: F401
    from ..formats import FORMATS

    for name in formats:
        fmt = FORMATS.get(name)
        for getter in ("get_reader", "get_writer"):
            with contextlib.suppress(Exception):   # a missing module fails its tasks, not the pool
                getattr(fmt, getter)()


def _formats_of(tasks: Sequence[Task]) -> list[str]:
    from ..formats import FORMATS, guess_input_format

    names = {t.to_format for t in tasks} | {t.from_format for t in tasks if t.from_format}
    for t in tasks:
        with contextlib.suppress(Exception):
            names.add(guess_input_format(Path(t.input)).name)
    return sorted(n for n in names if n in FORMATS)


def run_pool(tasks: Sequence[Task], *, workers: Optional[int] = None, fail_fast: bool = False,
             on_result: OnResult = None, mp_context: str = "spawn",
             fn: Callable[[Task], Result] = run_task) -> Outcome:
    """Run ``fn`` (default :func:`run_task`; any picklable top-level function) over ``tasks`` in a
    process pool (default: one worker per CPU); rows come back in task order.

    On Ctrl-C pending tasks are cancelled and running ones interrupted (their rows: skipped,
    interrupted); outputs already finished stay.  With ``fail_fast`` the first failure stops
    handing out tasks and lets the running ones finish.  When a worker dies (a crash, the
    out-of-memory killer) the pool is rebuilt and the tasks it took down are retried one at a
    time, so only the input that kills a worker twice fails."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks) or 1))
    make_pool = functools.partial(cf.ProcessPoolExecutor, workers, mp_context=multiprocessing.get_context(mp_context),
                                  initializer=_init_worker, initargs=(_formats_of(tasks),))
    rows: dict[int, Result] = {}
    outcome = Outcome([])
    todo = collections.deque(range(len(tasks)))
    retry: collections.deque[int] = collections.deque()
    retried: set[int] = set()
    futures: dict[cf.Future, int] = {}

    def record(i: int, row: Result) -> None:
        rows[i] = row
        if on_result:
            on_result(row)
        outcome.stopped = outcome.stopped or (fail_fast and row.status == "failed")

    started = time.time()
    pool = make_pool()
    try:
        while True:
            # Keep few tasks in flight: --fail-fast and Ctrl-C then stop the rest at once, and a huge
            # archive does not sit pickled in the pool's queue.  Retries run alone to find the culprit.
            source, limit = (retry, 1) if retry else (todo, 2 * workers)
            while source and len(futures) < limit and not outcome.stopped:
                i = source.popleft()
                task = _for_retry(tasks[i], started) if source is retry else tasks[i]
                try:
                    futures[pool.submit(fn, task)] = i
                except cf.process.BrokenProcessPool:
                    source.appendleft(i)
                    break
            if not futures and (outcome.stopped or not (todo or retry)):
                break
            if not futures:   # a fresh pool refused work: give up rather than loop
                for i in list(retry) + list(todo):
                    record(i, Result(tasks[i].input, tasks[i].output, "failed", error="the worker pool cannot start"))
                break
            done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                i = futures.pop(fut)
                if isinstance(fut.exception(), cf.process.BrokenProcessPool):
                    broken = True   # whether retried or not, this pool is dead and must be rebuilt
                    if i not in retried:
                        retried.add(i)
                        retry.append(i)
                        continue
                record(i, _collect(fut, tasks[i]))
            if broken:
                for fut in cf.as_completed(list(futures)):
                    i = futures.pop(fut)
                    # A task that finished before the pool broke keeps its result: running it again
                    # would find its own output and fail with "the output already exists".
                    if isinstance(fut.exception(), cf.process.BrokenProcessPool) and i not in retried:
                        retried.add(i)
                        retry.append(i)
                    else:
                        record(i, _collect(fut, tasks[i]))
                pool.shutdown(wait=True)
                pool = make_pool()
    except KeyboardInterrupt:
        outcome.interrupted = True
        for other in futures:
            other.cancel()
        # A SIGINT sent to this process only (not from a terminal) must reach the running tasks too.
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                os.kill(proc.pid, signal.SIGINT)
        for fut, i in futures.items():
            if i not in rows and not fut.cancelled():
                rows[i] = _collect(fut, tasks[i])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    outcome.results = [rows.get(i) or _not_run(t, outcome) for i, t in enumerate(tasks)]
    return outcome


def _for_retry(task: Task, started: float) -> Task:
    """The task to run again after its worker pool broke.

    A worker can finish writing its output and the pool break before the result comes back; the
    output then exists, whole (writes are atomic), from this very run.  The retry may replace it —
    but never an output that was there before the run."""
    try:
        written_now = os.stat(task.output).st_mtime >= started
    except OSError:
        written_now = False
    return dataclasses.replace(task, force=True) if written_now and not task.force else task


def _collect(fut, task: Task) -> Result:
    try:
        return fut.result()
    except KeyboardInterrupt:
        return Result(task.input, task.output, "skipped", error=INTERRUPTED)
    except BaseException as exc:  # noqa: BLE001 - a dead worker (out of memory, crash) fails its file only
        return Result(task.input, task.output, "failed",
                      error="the worker converting this file died (out of memory or a crash): " + _one_line(exc))


def _not_run(task: Task, outcome: Outcome) -> Result:
    reason = INTERRUPTED if outcome.interrupted else NOT_RUN_FAIL_FAST
    return Result(task.input, task.output, "skipped", error=reason)


def _dask_task(task: Task, stop: str) -> Result:
    """:func:`run_task` on a Dask worker, unless the batch's stop event ``stop`` is set (--fail-fast)."""
    from dask.distributed import Event

    if Event(stop).is_set():
        return Result(task.input, task.output, "skipped", error=NOT_RUN_FAIL_FAST)
    return run_task(task)


def run_dask(tasks: Sequence[Task], scheduler, *, fail_fast: bool = False, on_result: OnResult = None,
             timeout: str = "10s") -> Outcome:
    """Run the same :func:`run_task` on a Dask distributed cluster (``scheduler``: an address or a
    ``Client``; ``timeout`` to connect).  Inputs and outputs must be on storage every worker sees.

    With ``fail_fast`` the first failure sets a cluster-wide event: tasks that have not started
    return ``skipped`` rows, and the ones already running finish and are reported.  (Cancelling
    would not stop a running task — Dask cannot interrupt a worker thread — and would lose its
    row, so a "not run" row could point at an output that was written.)"""
    try:
        from dask.distributed import Client, Event, as_completed
    except ImportError:
        raise UsageError("--dask-scheduler needs Dask distributed",
                         hint="install it with: pip install 'nvivo-bridge[dask]'") from None
    own = isinstance(scheduler, str)
    try:
        client = Client(scheduler, timeout=timeout) if own else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                         hint="check the address (tcp://host:8786) and that the scheduler runs") from None
    rows: dict[int, Result] = {}
    outcome = Outcome([])
    futures = []
    stop = Event(f"nvivo-bridge-stop-{uuid.uuid4().hex}", client=client)
    try:
        futures = client.map(_dask_task, list(tasks), stop=stop.name, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            i = index[fut.key]
            rows[i] = _collect(fut, tasks[i]) if fut.status != "cancelled" else _not_run(tasks[i], outcome)
            if on_result:
                on_result(rows[i])
            if fail_fast and rows[i].status == "failed" and not outcome.stopped:
                outcome.stopped = True
                stop.set()
    except KeyboardInterrupt:
        outcome.interrupted = True
        with contextlib.suppress(Exception):
            client.cancel(futures)
    finally:
        with contextlib.suppress(Exception):
            stop.clear()   # frees the event's state on the scheduler
        if own:
            client.close()
    outcome.results = [rows.get(i) or _not_run(t, outcome) for i, t in enumerate(tasks)]
    return outcome


def run_batch(plan: Plan, report: Optional[os.PathLike | str], *, workers: Optional[int] = None,
              fail_fast: bool = False, dask_scheduler=None, on_result: OnResult = None,
              mp_context: str = "spawn") -> Outcome:
    """Run a plan, then write the report (also after Ctrl-C, then re-raising ``KeyboardInterrupt``).

    Rows are in the order the inputs were found."""
    for row in plan.skipped:
        if on_result:
            on_result(row)
    if dask_scheduler is not None:
        outcome = run_dask(plan.tasks, dask_scheduler, fail_fast=fail_fast, on_result=on_result)
    elif plan.tasks:
        outcome = run_pool(plan.tasks, workers=workers, fail_fast=fail_fast, on_result=on_result,
                           mp_context=mp_context)
    else:
        outcome = Outcome([])
    rank = {path: i for i, path in enumerate(plan.order)}
    outcome.results = sorted(list(plan.skipped) + outcome.results, key=lambda r: rank.get(r.input, len(rank)))
    if report is not None:
        outcome.report = write_report(outcome.results, report)
    if outcome.interrupted:
        raise KeyboardInterrupt
    return outcome
