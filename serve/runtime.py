"""What the service holds while it runs: the model, the router and the decision log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from triage.decision_log import DecisionLog
from triage.router import ContactRouter, ServingModel

ModelLoader = Callable[[], ServingModel]


@dataclass
class Runtime:
    """Created once at start-up by the lifespan and kept in ``app.state.runtime``."""

    router: ContactRouter
    log: DecisionLog
    model_uri: str

    @property
    def serving(self) -> ServingModel:
        return self.router.serving
