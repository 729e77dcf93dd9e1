"""How many CPU threads the numeric libraries may use while a classifier scores texts.

torch, numpy/scipy (OpenBLAS) and scikit-learn each bring a thread pool, and threads that finish work
spin for a while before sleeping. With two or three pools on a small machine they keep taking the cores
from each other: on two cores, routing one contact with the ensemble took 200-800 ms with the libraries'
default pools and 6-18 ms with one thread each (batches of 64: 18 ms and 8 ms per contact). So scoring
runs with one thread per pool by default; scale out with processes (API workers), not threads.

``TRIAGE_INFERENCE_THREADS`` sets the number (``0`` leaves the libraries' own settings alone).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENV_VAR = "TRIAGE_INFERENCE_THREADS"
DEFAULT_THREADS = 1

_lock = threading.Lock()
_controller: Any = None
_controller_has_torch = False


def inference_threads() -> int:
    value = os.environ.get(ENV_VAR, "").strip()
    try:
        return max(0, int(value)) if value else DEFAULT_THREADS
    except ValueError:
        return DEFAULT_THREADS


def _get_controller() -> Any:
    """A cached threadpoolctl controller (rebuilt once torch has been loaded, so its pool is included)."""
    global _controller, _controller_has_torch
    has_torch = "torch" in sys.modules
    with _lock:
        if _controller is None or (has_torch and not _controller_has_torch):
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
            _controller_has_torch = has_torch
        return _controller


@contextmanager
def limited_threads() -> Iterator[None]:
    """Run the block with at most :func:`inference_threads` threads per pool (no-op when that is 0)."""
    n = inference_threads()
    if n <= 0:
        yield
        return
    with _get_controller().limit(limits=n):
        yield
