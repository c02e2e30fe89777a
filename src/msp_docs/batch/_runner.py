"""Running a batch on any ``concurrent.futures.Executor``: a window of jobs, one report line each.

The runner owns no distribution logic: it submits :func:`~msp_docs.batch._work.execute` calls
to an executor (its own process pool by default, or a Dask cluster's executor) and keeps at
most a few jobs per worker in flight, so memory stays flat however long the batch. Each job's
untrusted decoding is isolated further down, in children the pipeline forks per input
(``Options.isolate``), so a crashing decoder fails one job; a worker process that dies anyway
breaks a process pool, which is then replaced and the jobs it was running are retried one at a
time, so only the job that kills a worker fails.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from concurrent.futures.process import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from msp_docs._version import __version__
from msp_docs.batch._jobs import UnsafeOutput, clean_output
from msp_docs.batch._model import Job, JobResult, Summary
from msp_docs.batch._report import ReportWriter, load_previous, options_fingerprint
from msp_docs.batch._work import Task, execute, failed_result, ignore_interrupts, ping
from msp_docs.errors import (
    InternalError,
    JobListError,
    MspDocsError,
    PoolError,
    Reason,
    SchedulerError,
    UnguardedMainError,
    UnprocessableInput,
    UsageError,
)
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = ["default_workers", "run"]

_DEFAULT_LIMITS = Limits()
_DEFAULT_OPTIONS = Options()

#: Jobs in flight per worker: one running, one queued so that no worker waits for the runner.
_PER_WORKER = 2
#: What the fork server of the local pool imports before forking workers.
_PRELOAD = ["__main__", "msp_docs.batch._work", "PIL.Image", "pikepdf"]
#: Seconds a new process pool may take to answer its first call.
_START_SECONDS = 120
#: The ``source`` of errors about jobs given in code rather than read from a job list.
_JOBS = "<jobs>"


def default_workers() -> int:
    """The number of CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def run(
    jobs: Iterable[Job],
    *,
    output_dir: str | os.PathLike[str] = ".",
    report: str | os.PathLike[str] | None = None,
    executor: Executor | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    limits: Limits = _DEFAULT_LIMITS,
    options: Options = _DEFAULT_OPTIONS,
    force: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
) -> Summary:
    """Run every job (merge its inputs into its output PDF); a failed job never stops the batch.

    Args:
        jobs: The jobs (:func:`jobs_from_directory`, :func:`read_job_list`, or your own).
        output_dir: Directory the jobs' output paths are relative to (created as needed).
        report: JSON Lines report to append to. When it exists, it is also what a resumed run
            reads: a job whose output still matches the inputs, title and options recorded
            for it there is skipped (``force`` redoes it). ``None``: no report, no resume.
        executor: Any ``concurrent.futures.Executor``; its workers must import ``msp_docs``
            and see the same paths. Default: a local process pool of ``workers`` processes.
        scheduler: Address of a Dask scheduler (``tcp://host:port``) to run the jobs on, through
            ``distributed.Client``'s executor (needs the ``dask`` extra).
        workers: Size of the default pool (default: the usable CPUs); with a given executor, how
            many jobs it runs at once (default: its own size when it tells it).
        limits: As for ``merge``, per job.
        options: As for ``merge``, per job; a job's title replaces ``options.title``.
        force: Redo every job, even those the report says are done.
        on_result: Called in this thread with each job's result as soon as it is known.

    Returns:
        The counts and the failed jobs.

    Raises:
        JobListError: two jobs share an output, an output path is unsafe, or an output would
            overwrite an input.
        SchedulerError: the Dask scheduler cannot be used.
        PoolError: the local worker processes die as they start.
        UnguardedMainError: called while a worker process imports the caller's script (a
            script without an ``if __name__ == "__main__":`` guard).
        UsageError: both an executor and a scheduler were given.
        CannotReadInput: the report exists but cannot be read.
        OutputError: the report cannot be written, or another batch holds it.
        KeyboardInterrupt: after the running jobs are cancelled and the summary line written.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # A worker process is importing the caller's main module, which calls run() at import
        # time: it would start a batch of its own (and find the report locked by the real one).
        raise UnguardedMainError()
    if executor is not None and scheduler is not None:
        raise UsageError(reason=Reason.CALL_EXECUTOR_AND_SCHEDULER)
    job_list = list(jobs)
    out_root = os.path.abspath(output_dir)
    targets = _check_jobs(job_list, out_root)
    fingerprint = options_fingerprint(limits, options)
    summary = Summary(jobs=len(job_list), report=os.fspath(report) if report else None)
    writer = ReportWriter(report) if report is not None else None
    try:
        previous = load_previous(report) if report is not None and not force else {}
        _remove_stale_parts(targets)
        source_date = os.environ.get("SOURCE_DATE_EPOCH")
        started = time.monotonic()
        pool = _Pool.open(executor, scheduler, workers, len(job_list)) if job_list else None
        durable = pool is None or not pool.syncs_at_end
        tasks = (
            Task(
                job=job,
                inputs=tuple(os.path.abspath(p) for p in job.inputs),
                output=target,
                limits=limits,
                options=options,
                fingerprint=fingerprint,
                previous=previous.get(job.output),
                source_date=source_date,
                durable=durable,
            )
            for job, target in zip(job_list, targets, strict=True)
        )
        run_id = uuid.uuid4().hex

        def record(result: JobResult) -> None:
            summary.count(result)
            if writer is not None:
                writer.write("job", run_id, result.to_dict())
            if on_result is not None:
                on_result(result)

        try:
            if writer is not None:
                writer.write(
                    "start",
                    run_id,
                    {
                        "schema": "msp-docs/batch/1",
                        "tool": {"name": "msp-docs", "version": __version__},
                        "started": _now(),
                        "jobs": len(job_list),
                        "output_dir": out_root,
                        "executor": pool.description if pool is not None else None,
                        "force": force,
                        "options": fingerprint,
                    },
                )
            if pool is not None:
                _drive(pool, tasks, record)
        except KeyboardInterrupt:
            summary.interrupted = True
            raise
        finally:
            if pool is not None:
                pool.close()
            summary.seconds = time.monotonic() - started
            if writer is not None:
                writer.write("summary", run_id, {**summary.to_dict(), "finished": _now()})
    finally:
        if writer is not None:
            writer.close()
    return summary


def _check_jobs(jobs: Sequence[Job], out_root: str) -> list[str]:
    """Check the outputs (clean, distinct, overwriting no input); return their absolute paths."""
    targets: list[str] = []
    seen: set[str] = set()
    for job in jobs:
        try:
            clean = clean_output(job.output)
        except UnsafeOutput as exc:
            raise JobListError(source=_JOBS, reason=exc.reason, value=exc.value) from exc
        if clean != job.output:
            raise JobListError(source=_JOBS, reason=Reason.OUTPUT_NOT_CLEAN, value=job.output)
        if job.output in seen:
            raise JobListError(source=_JOBS, reason=Reason.OUTPUT_TWICE, value=job.output)
        if not job.inputs:
            raise JobListError(detail=f"job {job.output}", source=_JOBS, reason=Reason.NO_INPUT)
        seen.add(job.output)
        targets.append(os.path.join(out_root, *job.output.split("/")))
    inputs = {os.path.abspath(p) for job in jobs for p in job.inputs}
    for job, target in zip(jobs, targets, strict=True):
        if target in inputs:
            raise JobListError(
                detail=target,
                source=_JOBS,
                reason=Reason.OUTPUT_OVERWRITES_INPUT,
                value=job.output,
            )
    return targets


def _remove_stale_parts(targets: Sequence[str]) -> None:
    """Delete temporary files a killed run left beside our outputs.

    ``msp_docs._write`` writes ``.NAME.RANDOM.part`` and renames it over ``NAME``; a kill between
    the two leaves the temporary file. Resume never takes it for an output (it looks at
    ``NAME`` only), but it is litter: only those named after this batch's outputs are removed.
    """
    names_by_dir: dict[str, set[str]] = {}
    for target in targets:
        directory, name = os.path.split(target)
        names_by_dir.setdefault(directory, set()).add(name)
    for directory, names in names_by_dir.items():
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            if not (entry.startswith(".") and entry.endswith(".part")):
                continue
            name, _, _random = entry[1 : -len(".part")].rpartition(".")
            if name in names:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(directory, entry))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- executors ----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Pool:
    """The executor a batch runs on, and whether (and how) the batch may replace it."""

    executor: Executor
    window: int
    description: str
    make: Callable[[], Executor] | None = None  # set when the batch owns the executor
    closer: Callable[[], None] | None = None
    syncs_at_end: bool = False  # outputs are not fsynced one by one: sync once in close()

    @classmethod
    def open(
        cls, executor: Executor | None, scheduler: str | None, workers: int | None, jobs: int
    ) -> _Pool:
        if scheduler is not None:
            return _dask_pool(scheduler, workers)
        if executor is not None:
            size = workers or getattr(executor, "_max_workers", None) or default_workers()
            return cls(executor, _PER_WORKER * size, type(executor).__name__)
        size = max(1, min(workers or default_workers(), max(jobs, 1)))

        def make() -> Executor:
            return _process_pool(size)

        # Local workers write to this machine's disks: one sync at the end replaces one per
        # output. Elsewhere (a caller's executor, Dask workers) each output is synced itself.
        return cls(make(), _PER_WORKER * size, f"processes:{size}", make=make, syncs_at_end=True)

    def replace(self) -> bool:
        """Swap a broken executor of ours for a new one; False when it is not ours."""
        if self.make is None:
            return False
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.make()
        return True

    def close(self) -> None:
        """Shut down what the batch opened; an executor the caller gave stays theirs."""
        if self.make is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self.syncs_at_end:
            os.sync()
        if self.closer is not None:
            self.closer()


def _process_pool(size: int) -> ProcessPoolExecutor:
    """A started pool of ``size`` worker processes.

    Raises:
        PoolError: its workers die as they start (the pool would break again and again).
    """
    # Workers come from a fork server, a clean single-threaded process, never from this one
    # (which may run threads: Dask's, the caller's); each worker then forks its own short-lived
    # children per input (isolation), which is safe in a pool worker. The fork server imports
    # the caller's main module and the heavy libraries once; workers start with them loaded
    # (copy-on-write) instead of each importing them on its first job.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    pool = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=ignore_interrupts)
    try:
        pool.submit(ping).result(timeout=_START_SECONDS)
    except (BrokenExecutor, TimeoutError) as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        raise PoolError(detail=f"{type(exc).__name__}: {exc}") from exc
    return pool


def _dask_pool(address: str, workers: int | None) -> _Pool:
    try:
        # Typed as Any: distributed ships without type information.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise SchedulerError(address=address, reason=Reason.DASK_MISSING) from exc
    try:
        client = distributed.Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(
            address=address, reason=Reason.SCHEDULER_UNREACHABLE, value=str(exc)
        ) from exc
    try:
        threads = sum(client.nthreads().values())
        if threads == 0:
            client.wait_for_workers(1, timeout=30)
            threads = sum(client.nthreads().values())
    except (OSError, TimeoutError) as exc:
        client.close()
        raise SchedulerError(detail=str(exc), address=address, reason=Reason.NO_WORKERS) from exc
    # pure=False: two jobs with equal arguments are still two jobs (Dask would merge them).
    executor = client.get_executor(pure=False)
    size = workers or threads
    return _Pool(executor, _PER_WORKER * size, f"dask:{address}", closer=client.close)


# --- the loop -----------------------------------------------------------------------------------
def _drive(pool: _Pool, tasks: Iterator[Task], record: Callable[[JobResult], None]) -> None:
    """Keep ``pool.window`` jobs in flight until every task has a result.

    When a pool of ours breaks (a worker process died), the jobs it was running become suspects
    and run again one at a time on a new pool: one that breaks it alone is the culprit and
    fails; the others finish normally.
    """
    pending: dict[Future[JobResult], tuple[Task, bool]] = {}
    suspects: deque[Task] = deque()
    exhausted = False

    def recover() -> None:
        for future, (task, alone) in pending.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                record(future.result())
            elif alone:
                record(_lost(task, BrokenExecutor()))
            else:
                suspects.append(task)
        pending.clear()
        pool.replace()

    def submit(task: Task, alone: bool) -> bool:
        try:
            future = pool.executor.submit(execute, task)
        except BrokenExecutor:
            if pool.make is None:
                raise
            suspects.appendleft(task)
            recover()
            return False
        pending[future] = (task, alone)
        return True

    try:
        while True:
            if suspects:
                if not pending:
                    submit(suspects.popleft(), True)
            else:
                while not exhausted and len(pending) < pool.window:
                    upcoming = next(tasks, None)
                    if upcoming is None:
                        exhausted = True
                    elif submit(upcoming, False):
                        continue
                    break
            if not pending:
                if suspects:
                    continue
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task, alone = pending.pop(future)
                error = future.exception()
                if error is None:
                    record(future.result())
                elif isinstance(error, BrokenExecutor) and pool.make is not None:
                    if alone:
                        record(_lost(task, error))
                    else:
                        suspects.append(task)
                    broken = True
                else:
                    record(_lost(task, error))
            if broken or (pool.make is not None and _is_broken(pool.executor)):
                recover()
    finally:
        for future in pending:
            future.cancel()


def _is_broken(executor: Executor) -> bool:
    return bool(getattr(executor, "_broken", False))


def _lost(task: Task, cause: BaseException) -> JobResult:
    """The result of a job whose worker gave no answer."""
    error: MspDocsError
    if isinstance(cause, BrokenExecutor | _killed_worker()):
        error = UnprocessableInput(detail=type(cause).__name__, reason=Reason.WORKER_DIED)
    else:
        error = InternalError(detail=f"{type(cause).__name__}: {cause}")
    return failed_result(task.job, error, lang=task.options.lang.value)


class _NeverRaised(Exception):
    """Stands for Dask's KilledWorker where Dask is not loaded: no job can raise it there."""


def _killed_worker() -> type[BaseException]:
    """Dask's exception for a task whose workers kept dying, when a Dask cluster is in use.

    Looked up among the modules already loaded: a batch that uses Dask has imported it, and one
    that does not must not import it for this.
    """
    distributed = sys.modules.get("distributed")
    killed = getattr(distributed, "KilledWorker", None)
    return (
        killed if isinstance(killed, type) and issubclass(killed, BaseException) else _NeverRaised
    )
