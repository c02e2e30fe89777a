"""Isolation: whatever a child does, the caller gets a typed error, within the budget."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time

import pytest

from msp_docs import _isolation as isolation
from msp_docs.errors import (
    CorruptImage,
    InternalError,
    ProcessingTimeout,
    Reason,
    UnprocessableInput,
)

pytestmark = pytest.mark.skipif(not isolation.available(), reason="needs fork and memfd")

MiB = 1024 * 1024


def _value(x: int) -> int:
    return x * 2


def _big(n: int) -> bytes:
    return bytes(range(256)) * (n // 256)


def _segfault() -> None:
    ctypes.string_at(0)


def _spin() -> None:
    while True:
        pass


def _sleep() -> None:
    time.sleep(60)


def _hog() -> bytes:
    return b"x" * (2048 * MiB)


def _typed() -> None:
    raise CorruptImage(reason=Reason.DECODER)


def _bug() -> None:
    raise KeyError("oops")


def _pid() -> int:
    return os.getpid()


def run(*jobs: isolation.Job, seconds: float = 5.0) -> list[isolation.Outcome]:
    return isolation.run_jobs(list(jobs), seconds=seconds, memory_bytes=512 * MiB)


def test_values_come_back_in_order() -> None:
    outcomes = run(*(isolation.Job(_value, (i,)) for i in range(6)))
    assert [o.value for o in outcomes] == [0, 2, 4, 6, 8, 10]
    assert all(o.error is None for o in outcomes)


def test_large_values_come_back_intact() -> None:
    (outcome,) = run(isolation.Job(_big, (8 * MiB,)))
    assert outcome.value == _big(8 * MiB)


def test_jobs_run_in_other_processes() -> None:
    outcomes = run(isolation.Job(_pid), isolation.Job(_pid))
    pids = {o.value for o in outcomes}
    assert os.getpid() not in pids and len(pids) == 2


def test_a_crash_in_c_code_is_a_typed_error_and_the_others_carry_on() -> None:
    outcomes = run(
        isolation.Job(_value, (1,)), isolation.Job(_segfault), isolation.Job(_value, (2,))
    )
    assert outcomes[0].value == 2 and outcomes[2].value == 4
    assert isinstance(outcomes[1].error, UnprocessableInput)
    assert outcomes[1].error.facts == {"reason": Reason.CRASHED, "value": "SIGSEGV"}


@pytest.mark.parametrize("job", [_spin, _sleep])
def test_the_wall_clock_budget_is_enforced(job) -> None:
    started = time.monotonic()
    (outcome,) = run(isolation.Job(job), seconds=0.5)
    assert isinstance(outcome.error, ProcessingTimeout)
    assert time.monotonic() - started < 3


def _compute(cpu_seconds: float) -> float:
    """Spin until this process has used ``cpu_seconds`` of processor time."""
    started = time.process_time()
    while time.process_time() - started < cpu_seconds:
        pass
    return time.process_time() - started


def test_waiting_for_a_processor_is_not_charged_to_the_budget() -> None:
    # The same input must get the same answer on a busy machine. A job that needs 0.3 s of
    # processor time, given 1 s, runs on one processor shared with three busy loops: it takes
    # about 1.2 s of wall-clock time (more than its budget) and must still finish. Before, the
    # parent's deadline was wall-clock time and this job got processing-timeout.
    if not os.path.exists(f"/proc/{os.getpid()}/schedstat"):
        pytest.skip("no scheduler statistics in /proc")
    cpu = min(os.sched_getaffinity(0))
    saved = os.sched_getaffinity(0)
    loop = f"import os; os.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"
    hogs = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(3)]
    try:
        time.sleep(0.3)  # the busy loops are running
        os.sched_setaffinity(0, {cpu})  # the child inherits it: one processor for four
        try:
            started = time.monotonic()
            (outcome,) = run(isolation.Job(_compute, (0.3,)), seconds=1.0)
            wall = time.monotonic() - started
        finally:
            os.sched_setaffinity(0, saved)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert outcome.error is None, outcome.error
    assert outcome.value is not None and outcome.value >= 0.3
    if wall <= 1.0:  # the busy loops did not share the processor after all: nothing shown
        pytest.skip(f"the job was not slowed down ({wall:.2f} s)")


def _spin_under(cpu_limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 1))
    _spin()


def test_the_kernel_cpu_limit_gives_the_same_answer_as_the_deadline() -> None:
    # When the kernel's CPU limit ends a child before the parent notices its time is up (the
    # parent was slow to wake on a busy machine), the answer is still processing-timeout,
    # not "unprocessable": the same budget ran out.
    (outcome,) = run(isolation.Job(_spin_under, (1,)), seconds=3.0)
    assert isinstance(outcome.error, ProcessingTimeout)
    assert outcome.error.facts == {"seconds": 3}


def test_memory_is_capped() -> None:
    (outcome,) = run(isolation.Job(_hog))
    assert isinstance(outcome.error, UnprocessableInput)
    assert "memory" in outcome.error.message()


def _needs(mib: int) -> int:
    block = bytearray(mib * MiB)
    block[::4096] = b"x" * len(block[::4096])  # resident, not only mapped
    return len(block) // MiB


def _reserve(size: int) -> tuple[object, int]:
    """Reserve address space without memory (PROT_NONE, MAP_NORESERVE), as threads do."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t] + [ctypes.c_int] * 3 + [ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    address = libc.mmap(None, size, 0, 0x02 | 0x20 | 0x4000, -1, 0)
    assert address not in (None, ctypes.c_void_p(-1).value)
    return libc, address


def test_address_space_reserved_by_the_parent_is_not_memory() -> None:
    # A threaded parent (a server, a Dask worker) reserves far more address space than it
    # uses; its children must still get their budget, and no more. The budget counts what a
    # child has resident (what it inherits included), so it is set from this process's own.
    with open("/proc/self/statm") as fh:
        resident = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    budget = resident + 256 * MiB
    libc, address = _reserve(2048 * MiB)
    try:
        fits, too_much = isolation.run_jobs(
            [isolation.Job(_needs, (128,)), isolation.Job(_needs, (1024,))],
            seconds=5.0,
            memory_bytes=budget,
        )
    finally:
        libc.munmap(address, 2048 * MiB)  # type: ignore[attr-defined]
    assert fits.error is None and fits.value == 128
    assert isinstance(too_much.error, UnprocessableInput)
    assert "memory" in too_much.error.message()


def test_typed_errors_and_bugs_cross_the_boundary() -> None:
    typed, bug = run(isolation.Job(_typed), isolation.Job(_bug))
    assert isinstance(typed.error, CorruptImage) and typed.error.facts == {"reason": Reason.DECODER}
    assert isinstance(bug.error, InternalError) and "KeyError" in (bug.error.detail or "")


def _sleep_after_telling(path: str) -> None:
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(60)


def test_no_child_is_left_behind(tmp_path) -> None:
    marker = tmp_path / "pid"
    run(
        isolation.Job(_sleep_after_telling, (str(marker),)),
        isolation.Job(_value, (1,)),
        seconds=0.5,
    )
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed, and reaped: not even a zombie remains
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_spans_of_the_input_are_resolved_by_the_caller() -> None:
    from msp_docs._model import DeviceColour, ImagePage, ImageResult, InputSpans, RasterImage
    from msp_docs._pipeline import resolve_spans

    source = b"0123456789abcdef"
    mask = RasterImage(
        width=1,
        height=1,
        bits_per_component=8,
        colour_space=DeviceColour("DeviceGray"),
        data=InputSpans(((10, 12),)),
        filter=None,
    )
    image = RasterImage(
        width=1,
        height=1,
        bits_per_component=8,
        colour_space=DeviceColour("DeviceGray"),
        data=InputSpans(((0, 2), (5, 7))),
        filter=None,
        soft_mask=mask,
    )
    result = ImageResult(pages=[ImagePage(image=image)], width=1, height=1)
    resolve_spans(result, source)
    resolved = result.pages[0].image
    assert resolved.data == b"0156"
    assert resolved.soft_mask is not None and resolved.soft_mask.data == b"ab"


def test_works_when_the_caller_has_more_than_1024_files_open(tmp_path) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("cannot open enough files here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        (outcome,) = run(isolation.Job(_value, (21,)))
        assert outcome.value == 42
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _load_a_library() -> bytes:
    import sys

    assert "_codecs_jp" not in sys.modules
    return "日本".encode("euc_jp")  # loads the _codecs_jp C extension, after the fork


def test_a_large_caller_does_not_starve_its_children() -> None:
    ballast = bytearray(600 * MiB)  # the caller's own memory, inherited by the child
    try:
        (outcome,) = run(isolation.Job(_load_a_library))
        assert outcome.error is None, outcome.error
    finally:
        del ballast


def _started_at(_: int) -> float:
    return time.monotonic()


def test_costliest_jobs_start_first_and_order_is_kept() -> None:
    jobs = [isolation.Job(_started_at, (i,), cost=cost) for i, cost in enumerate([1, 9, 5, 7])]
    outcomes = isolation.run_jobs(jobs, seconds=5, memory_bytes=512 * MiB, parallel=1)
    starts = [o.value for o in outcomes]
    assert all(s is not None for s in starts)
    order = sorted(range(4), key=lambda i: starts[i])  # type: ignore[arg-type, return-value]
    assert order == [1, 3, 2, 0]


def test_estimated_cost_ranks_an_alpha_screenshot_above_a_plain_scan() -> None:
    from msp_docs._pipeline import estimated_cost
    from tests.fixtures import jpeg_bytes, png_bytes

    rgba = png_bytes(1000, 1000, mode="RGBA", colour=(1, 2, 3, 4))
    grey = png_bytes(1000, 1000, mode="L", colour=7)
    assert estimated_cost(rgba) > estimated_cost(grey) > 0
    assert estimated_cost(jpeg_bytes()) > 0
    assert estimated_cost(b"\x89PNG\r\n\x1a\n") >= 0  # too short for a header: no crash


@pytest.mark.parametrize(("pause", "refused"), [("sleep", False), ("compute", True)])
def test_in_process_the_budget_is_the_decoders_processor_time(
    monkeypatch: pytest.MonkeyPatch, pause: str, refused: bool
) -> None:
    # Without isolation, the budget is checked after the decode, on this thread's processor
    # time: a decode that was descheduled (here: slept) for longer than the budget is not
    # refused, one that computed for longer is.
    import io
    from pathlib import Path

    import msp_docs
    from msp_docs import _pipeline

    real = _pipeline.process

    def slowed(*args, **kwargs):  # type: ignore[no-untyped-def]
        if pause == "sleep":
            time.sleep(0.4)
        else:
            _compute(0.4)
        return real(*args, **kwargs)

    monkeypatch.setattr(_pipeline, "process", slowed)
    sample = Path(__file__).parents[2] / "samples" / "2-scan-grey.png"
    options = msp_docs.Options(isolate=False)
    limits = msp_docs.Limits(max_seconds_per_input=0.3)
    if refused:
        with pytest.raises(ProcessingTimeout):
            msp_docs.merge([sample], io.BytesIO(), options=options, limits=limits)
    else:
        report = msp_docs.merge([sample], io.BytesIO(), options=options, limits=limits)
        assert report.output is not None and report.output.pages == 1
