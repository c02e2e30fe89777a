"""Isolation: whatever a child does, the caller gets a typed error, within the budget."""

from __future__ import annotations

import ctypes
import os
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
