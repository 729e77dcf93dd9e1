"""What the service holds while it runs: model(s), router, batcher, decision log, governance controls.

Created once by the lifespan and kept in ``app.state.runtime``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from serve.batcher import MicroBatcher
from serve.metrics import ServiceMetrics
from serve.settings import ServeSettings
from triage.decision_log import DecisionLog
from triage.governance import GovernanceControls, GovernanceStore
from triage.policy import PolicyConfig
from triage.router import ContactRouter, ServingModel
from triage.schemas import Contact, Decision

logger = logging.getLogger("triage.serve")


@dataclass(frozen=True)
class ModelSource:
    """How the service gets its model: ``load`` a full model, ``probe`` which version the URI points at now."""

    load: Callable[[], ServingModel]
    probe: Callable[[], str] | None = None
    shadow: Callable[[], ServingModel] | None = None


class Runtime:
    def __init__(self, *, settings: ServeSettings, source: ModelSource, metrics: ServiceMetrics) -> None:
        self.settings = settings
        self.source = source
        self.metrics = metrics
        self.log = DecisionLog(settings.db_url)
        self.governance = GovernanceStore(self.log.engine)
        serving = source.load()
        shadow = source.shadow() if source.shadow else None
        self.router = ContactRouter(serving=serving, log=self.log, shadow=shadow)
        self.metrics.set_model(serving.version)
        self._controls = self.governance.controls()
        self._controls_read_at = time.monotonic()
        self._controls_lock = threading.Lock()
        self.batcher = MicroBatcher(
            self._route_batch, max_batch=settings.batch_max_size, max_wait_ms=settings.batch_wait_ms
        )
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self.version_changes: list[tuple[str, str]] = []

    @property
    def serving(self) -> ServingModel:
        return self.router.serving

    def start(self) -> None:
        self.batcher.start()
        if self.source.probe is not None and self.settings.model_poll_seconds > 0:
            self._watcher = threading.Thread(target=self._watch_model, name="triage-model-watcher", daemon=True)
            self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        self.batcher.stop()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self.log.close()

    # governance ---------------------------------------------------------------------------------------
    def controls(self) -> GovernanceControls:
        if time.monotonic() - self._controls_read_at >= self.settings.controls_refresh_seconds:
            self.refresh_controls()
        return self._controls

    def refresh_controls(self) -> GovernanceControls:
        with self._controls_lock:
            self._controls = self.governance.controls()
            self._controls_read_at = time.monotonic()
        return self._controls

    def policy(self) -> PolicyConfig:
        """The policy in force now: the serving model's, with governance controls laid over it."""
        return self.controls().apply(self.serving.model.policy)

    # routing ------------------------------------------------------------------------------------------
    def _route_batch(self, contacts: Sequence[Contact]) -> list[Decision]:
        decisions = self.router.route(contacts, policy=self.policy())
        self.metrics.observe_decisions(decisions)
        return decisions

    # model releases ---------------------------------------------------------------------------------
    def check_for_new_model(self) -> bool:
        """Load and swap in the model the URI now points at, if it changed. Never interrupts requests."""
        assert self.source.probe is not None
        current = self.serving.version
        target = self.source.probe()
        if target == current:
            return False
        fresh = self.source.load()
        self.router.serving = fresh  # one attribute assignment: requests see the old or the new model
        self.metrics.set_model(fresh.version)
        self.version_changes.append((current, fresh.version))
        logger.warning("model version changed from %s to %s (%s)", current, fresh.version, self.settings.model_uri)
        return True

    def _watch_model(self) -> None:
        while not self._stop.wait(self.settings.model_poll_seconds):
            try:
                self.check_for_new_model()
            except Exception:
                logger.exception("checking the registry for a new model failed; still serving %s", self.serving.version)

    def ready(self) -> list[str]:
        """Problems that make the service not ready (empty when ready)."""
        problems = []
        try:
            self.log.check_writable()
        except Exception as exc:
            problems.append(f"decision log not writable: {type(exc).__name__}")
        if not self.batcher.is_alive():
            problems.append("batching worker is not running")
        return problems
