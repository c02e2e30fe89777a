"""Isolation: run each untrusted input's decoding in a forked child with hard limits.

A child process gets an address-space limit (``RLIMIT_AS``, set so that its resident memory stays
within the budget whatever address space its parent reserved), a CPU-time limit (``RLIMIT_CPU``)
and a deadline enforced by the parent, which kills it with SIGKILL. Whatever the child does — a
decoder bug in C, an endless loop, a memory blow-up — the caller gets a typed error
(:class:`ProcessingTimeout` or :class:`UnprocessableInput`) and the other inputs carry on.

The deadline does not depend on how busy the machine is: a child is charged for its wall-clock
time less the time it spent waiting for a processor (``/proc/PID/schedstat``), that is for the
time it computed or waited for anything else (a sleep, a lock). The same input thus meets its
budget, or not, on an idle machine and beside processes that keep every core busy. A backstop
stops any child at :data:`WALL_FACTOR` times its budget in plain wall-clock time, so that an
answer never waits longer than that, however loaded the machine is.

Children are forked from the caller after the heavy libraries are imported, so a child starts in
about a millisecond with everything loaded (copy-on-write); several run at once, one per core,
which is also how the pipeline uses both cores without fighting over the GIL. A child writes its
pickled answer into an anonymous in-memory file (``memfd``) the parent created for it, and closes
a pipe to say it is done: megabytes of image data come back without a pipe's 64 KiB round trips.
Fork needs POSIX; elsewhere :func:`available` is False and the pipeline runs in-process.
"""

from __future__ import annotations

import contextlib
import errno
import faulthandler
import gc
import os
import pickle
import resource
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from msp_docs.errors import (
    InternalError,
    MspDocsError,
    ProcessingTimeout,
    Reason,
    UnprocessableInput,
)

__all__ = ["TICK", "WALL_FACTOR", "Job", "Outcome", "available", "run_jobs"]

T = TypeVar("T")

_HEADER = 8  # bytes of the length prefix of a child's answer
#: Seconds between two calls of a ``tick`` while children work.
TICK = 0.1
#: However long a child waited for a processor, it is stopped at this many times its budget.
WALL_FACTOR = 4


def available() -> bool:
    """True where children can be forked and answer through an in-memory file (Linux)."""
    return hasattr(os, "fork") and hasattr(os, "memfd_create")


@dataclass(slots=True)
class Job(Generic[T]):
    """One call to run in a child: ``function(*args, **kwargs)`` must return a picklable value.

    ``cost`` is a rough estimate of the work (any unit, the same for all jobs of a call): the
    costliest jobs start first, so that with more jobs than cores the last one to finish is a
    short one.
    """

    function: Callable[..., T]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] | None = None
    cost: float = 0.0


@dataclass(slots=True)
class Outcome(Generic[T]):
    """What a child gave back: a value, or the error that ended it (already typed)."""

    value: T | None = None
    error: MspDocsError | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class _Child:
    index: int
    pid: int
    fd: int  # read end of the "done" pipe
    answer: int  # the memfd holding the answer
    started: float


def run_jobs(
    jobs: Sequence[Job[T]],
    *,
    seconds: float,
    memory_bytes: int,
    parallel: int | None = None,
    while_waiting: Callable[[], object] | None = None,
    tick: Callable[[int], object] | None = None,
) -> list[Outcome[T]]:
    """Run ``jobs`` in forked children, at most ``parallel`` at a time, costliest first.

    The outcomes are returned in the order of ``jobs``.

    Args:
        jobs: The calls to make.
        seconds: Time budget of each job: wall-clock time less the time spent waiting for a
            processor (CPU time is limited to the same, rounded up; wall-clock time to
            :data:`WALL_FACTOR` times it).
        memory_bytes: Address-space limit of each child.
        parallel: Children running at once (default: the number of usable CPUs).
        while_waiting: Called once, in this process, after the first children are started:
            work of the caller's own (imports for what follows) that then overlaps theirs.
            Children started later inherit its effects. It must not start threads.
        tick: Called in this process with the number of jobs finished, each time one finishes
            and at least every :data:`TICK` seconds while children work (to drive a progress
            display without a thread of its own). It must not start threads either.
    """
    width = max(1, parallel or _cpus())
    outcomes: list[Outcome[T] | None] = [None] * len(jobs)
    pending = sorted(range(len(jobs)), key=lambda i: -jobs[i].cost)
    running: dict[int, _Child] = {}
    try:
        while pending or running:
            while pending and len(running) < width:
                index = pending.pop(0)
                try:
                    child = _start(index, jobs[index], seconds=seconds, memory_bytes=memory_bytes)
                except OSError as exc:
                    outcomes[index] = Outcome(
                        error=UnprocessableInput(
                            reason=Reason.WORKER_NOT_STARTED,
                            value=exc.strerror or type(exc).__name__,
                        )
                    )
                    continue
                running[child.fd] = child
            if while_waiting is not None:
                while_waiting()
                while_waiting = None
            if running:
                _wait_some(running, outcomes, seconds=seconds, at_most=TICK if tick else None)
            if tick is not None:
                tick(sum(o is not None for o in outcomes))
    finally:
        for child in running.values():  # only on an exception of our own: leave no orphan
            _kill(child)
    lost = InternalError(detail="lost job")
    return [o if o is not None else Outcome(error=lost) for o in outcomes]


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _start(index: int, job: Job[Any], *, seconds: float, memory_bytes: int) -> _Child:
    answer = os.memfd_create("msp-docs-answer", os.MFD_CLOEXEC)
    read_fd, write_fd = os.pipe()
    try:
        pid = _fork()
    except OSError:
        for fd in (answer, read_fd, write_fd):
            os.close(fd)
        raise
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child_main(job, answer, write_fd, seconds=seconds, memory_bytes=memory_bytes)
    os.close(write_fd)
    return _Child(index, pid, read_fd, answer, time.monotonic())


def _address_space_cap(memory_bytes: int) -> int:
    """The ``RLIMIT_AS`` that keeps this process's resident memory within ``memory_bytes``.

    A child inherits its parent's address space, and much of it can be reserved and never
    touched (a stack and a malloc arena per thread the parent ever ran: hundreds of megabytes in
    a threaded server, a Dask worker, a test runner); capping the whole address space at the
    budget would leave such a parent's children unable even to load a library. So the cap is
    what is mapped now, plus what may still become resident: the budget less what already is,
    and at least half the budget for a caller that already holds most of it itself.
    """
    try:
        with open("/proc/self/statm", "rb") as fh:
            size, resident = (int(field) for field in fh.read().split()[:2])
    except (OSError, ValueError):
        return memory_bytes
    page = os.sysconf("SC_PAGE_SIZE")
    return size * page + max(memory_bytes - resident * page, memory_bytes // 2)


def _fork() -> int:
    """fork(), retried briefly when the system is momentarily out of processes or memory."""
    for pause in (0.01, 0.05, 0.2, 0.5):
        try:
            return os.fork()
        except OSError as exc:  # EAGAIN: process table or cgroup full; ENOMEM: no memory now
            if exc.errno not in (errno.EAGAIN, errno.ENOMEM):
                raise
            time.sleep(pause)
    return os.fork()


def _child_main(
    job: Job[Any], answer: int, done: int, *, seconds: float, memory_bytes: int
) -> None:
    code = 0
    try:
        # Nothing of the parent's terminal handling or warnings machinery is used here: a lock
        # held by another thread at fork time must never be needed.
        sys.stderr = sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until _exit
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)  # a C library's complaints (or a crash dump) are not the caller's output
        faulthandler.disable()
        # A collection would touch every object inherited from the parent and copy their
        # pages (copy-on-write); a child lives for one input, under a memory cap: no GC.
        gc.disable()
        warnings.simplefilter("ignore")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        cap = _address_space_cap(memory_bytes)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = max(1, int(seconds + 0.999))
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            value = job.function(*job.args, **(job.kwargs or {}))
            payload = pickle.dumps(("ok", value), protocol=pickle.HIGHEST_PROTOCOL)
        except MspDocsError as error:
            payload = pickle.dumps(("error", error), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory", None))
        except Exception as exc:  # a bug or an unwrapped library error, typed by the parent
            payload = pickle.dumps(("bug", f"{type(exc).__name__}: {exc}"))
        # Header and payload written apart: joining them would copy megabytes of samples.
        for part in (len(payload).to_bytes(_HEADER, "big"), payload):
            view = memoryview(part)
            while view:
                written = os.write(answer, view)
                view = view[written:]
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _wait_some(
    running: dict[int, _Child],
    outcomes: list[Outcome[Any] | None],
    *,
    seconds: float,
    at_most: float | None,
) -> None:
    """Wait until a child ends, one runs out of time, or ``at_most`` seconds have passed.

    A child's time left is re-read at each wake-up: one that waited for a processor meanwhile
    has more of it, and this call returns for the caller to wait again.
    """
    now = time.monotonic()
    deadline = now + min(_time_left(child, now, seconds) for child in running.values())
    if at_most is not None:
        deadline = min(deadline, now + at_most)
    # poll, not select: a caller with more than 1024 open files has pipe numbers select refuses.
    poller = select.poll()
    for fd in running:
        poller.register(fd, select.POLLIN | select.POLLHUP)
    timeout_ms = max(0, int((deadline - now) * 1000) + 1)
    ready = [fd for fd, _ in poller.poll(timeout_ms)]
    for fd in ready:  # the child exited (the pipe's only writer is gone)
        child = running.pop(fd)
        outcomes[child.index] = _finish(child, seconds)
    now = time.monotonic()
    for fd, child in list(running.items()):
        if _time_left(child, now, seconds) <= 0:
            _kill(child)
            del running[fd]
            outcomes[child.index] = Outcome(
                error=ProcessingTimeout(seconds=_round(seconds)), seconds=now - child.started
            )


def _time_left(child: _Child, now: float, seconds: float) -> float:
    """Seconds of its budget the child has left (0 or less: its time is up)."""
    wall = now - child.started
    return min(seconds - (wall - _queued(child.pid)), WALL_FACTOR * seconds - wall)


def _queued(pid: int) -> float:
    """Seconds the process spent runnable but waiting for a processor (0 when unknown).

    The second field of ``/proc/PID/schedstat`` (nanoseconds, Linux ≥ 2.6.23 with scheduler
    statistics, which every distribution's kernel has).
    """
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def _finish(child: _Child, seconds: float) -> Outcome[Any]:
    os.close(child.fd)
    _, status = os.waitpid(child.pid, 0)
    elapsed = time.monotonic() - child.started
    data = _read_all(child.answer)
    if len(data) >= _HEADER and int.from_bytes(data[:_HEADER], "big") == len(data) - _HEADER:
        # A view, not a slice: the answer may be megabytes (samples for fit).
        tag, value = pickle.loads(memoryview(data)[_HEADER:])  # noqa: S301 - our own child
        if tag == "ok":
            return Outcome(value=value, seconds=elapsed)
        if tag == "error":
            return Outcome(error=value, seconds=elapsed)
        if tag == "memory":
            return Outcome(error=UnprocessableInput(reason=Reason.OUT_OF_MEMORY), seconds=elapsed)
        return Outcome(error=InternalError(detail=str(value)), seconds=elapsed)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        # The kernel's CPU limit came first (this process was slow to wake): the same budget
        # ran out, and the same input gets the same answer.
        return Outcome(error=ProcessingTimeout(seconds=_round(seconds)), seconds=elapsed)
    reason, value = _describe_status(status)
    return Outcome(error=UnprocessableInput(reason=reason, value=value), seconds=elapsed)


def _read_all(fd: int) -> bytes:
    try:
        size = os.fstat(fd).st_size
        os.lseek(fd, 0, os.SEEK_SET)
        parts = []
        while size > 0:
            chunk = os.read(fd, size)
            if not chunk:
                break
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def _describe_status(status: int) -> tuple[Reason, str | int | None]:
    """Why a child ended without answering, and the signal or status that says so."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGKILL:
            return Reason.KILLED, None
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return Reason.CRASHED, name
    return Reason.WORKER_EXITED, os.waitstatus_to_exitcode(status)


def _kill(child: _Child) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    for fd in (child.fd, child.answer):
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child.pid, 0)


def _round(seconds: float) -> float | int:
    return int(seconds) if seconds == int(seconds) else round(seconds, 2)
