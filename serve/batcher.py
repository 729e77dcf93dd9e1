"""Micro-batching: concurrent requests are routed together by one worker thread.

Handlers never run inference on the event loop: they submit contacts and await a future. The worker
collects up to ``max_batch`` contacts, waiting at most ``max_wait_ms`` after the first one, routes them
in one model call and writes them to the decision log in one transaction, then resolves the futures.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from triage.schemas import Contact, Decision

logger = logging.getLogger("triage.serve.batcher")

RouteBatch = Callable[[Sequence[Contact]], list[Decision]]
_STOP = object()


class MicroBatcher:
    """One background thread turning many small requests into few model calls."""

    def __init__(self, route_batch: RouteBatch, *, max_batch: int = 64, max_wait_ms: float = 2.0) -> None:
        self._route_batch = route_batch
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="triage-batcher", daemon=True)
        self.batches = 0
        self.contacts = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def submit(self, contacts: Sequence[Contact]) -> Future[list[Decision]]:
        """Queue contacts that must be routed together (one request); resolves to their decisions."""
        future: Future[list[Decision]] = Future()
        self._queue.put((list(contacts), future))
        return future

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            pending = [item]
            size = len(item[0])
            deadline = time.perf_counter() + self.max_wait
            stop_after = False
            while size < self.max_batch:
                remaining = deadline - time.perf_counter()
                try:
                    nxt = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop_after = True
                    break
                pending.append(nxt)
                size += len(nxt[0])
            self._process(pending)
            if stop_after:
                return

    def _process(self, pending: list[tuple[list[Contact], Future]]) -> None:
        contacts = [c for group, _ in pending for c in group]
        try:
            decisions = self._route_batch(contacts)
        except Exception as exc:
            logger.exception("routing a batch of %d contacts failed", len(contacts))
            for _, future in pending:
                future.set_exception(exc)
            return
        self.batches += 1
        self.contacts += len(contacts)
        start = 0
        for group, future in pending:
            future.set_result(decisions[start : start + len(group)])
            start += len(group)
