"""Test hooks run inside batch workers: a PNG backend that crashes, hangs or eats memory on cue.

``install`` (a process pool's initializer) puts :func:`normalise_png` in front of the real PNG
backend. A PNG whose text holds one of the marks misbehaves for real (a SIGSEGV in C code, an
endless loop, a 4 GiB allocation); any other PNG goes to the real backend. Isolation, the pool
and the runner are not touched: they see a genuine crash.
"""

from __future__ import annotations

import ctypes
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from msp_docs._model import Kind

SEGV = "CRASH-SEGV"
HANG = "CRASH-HANG"
MEMORY = "CRASH-MEMORY"
NEED = "NEEDS-256-MIB"  # not a crash: a decoder that needs 256 MiB, well under the cap

_original: Callable[[Kind], Any] | None = None


def install() -> None:
    global _original
    from msp_docs import _pipeline as pipeline

    if _original is None:
        _original = pipeline.backend_for
    pipeline.backend_for = _backend_for  # type: ignore[assignment]


def _backend_for(kind: Kind) -> Any:
    assert _original is not None
    return normalise_png if kind is Kind.PNG else _original(kind)


def normalise_png(data: bytes, **kwargs: Any) -> Any:
    if SEGV.encode() in data:
        ctypes.string_at(0)
    if HANG.encode() in data:
        while True:
            pass
    if MEMORY.encode() in data:
        hog = bytearray(4 * 1024**3)
        return hog
    if NEED.encode() in data:
        need = bytearray(256 * 1024**2)
        assert len(need) == 256 * 1024**2
    assert _original is not None
    return _original(Kind.PNG)(data, **kwargs)


def pool(size: int, *, initializer: Any = install) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=initializer)


def install_and_reserve() -> None:
    """Install the hooks, and make this worker reserve 2 GiB of address space it never uses.

    That is what threads do to a real worker (a malloc arena and a stack each, reserved up
    front): the worker's address space says nothing of the memory it uses.
    """
    install()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t] + [ctypes.c_int] * 3 + [ctypes.c_long]
    # PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE: address space only.
    address = libc.mmap(None, 2 * 1024**3, 0, 0x02 | 0x20 | 0x4000, -1, 0)
    assert address not in (None, ctypes.c_void_p(-1).value)
