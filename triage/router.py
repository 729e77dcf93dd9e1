"""Routing contacts end to end: score, decide, redact and record, in that order.

Used by the HTTP service and the CLI, so both make exactly the same decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from triage.decision_log import DecisionLog, make_record
from triage.model import TriageModel
from triage.policy import PolicyConfig
from triage.schemas import Contact, Decision


@dataclass(frozen=True)
class ServingModel:
    """A loaded model and the version string every decision it makes carries."""

    model: TriageModel
    version: str


class ContactRouter:
    """Decides where contacts go; with a decision log, each decision is stored before it is returned."""

    def __init__(self, *, serving: ServingModel, log: DecisionLog | None = None) -> None:
        self.serving = serving
        self.log = log

    def route(self, contacts: Sequence[Contact], *, policy: PolicyConfig | None = None) -> list[Decision]:
        serving = self.serving  # read once: a model swap mid-batch must not mix versions
        decisions = serving.model.decide(
            [contact.text for contact in contacts], model_version=serving.version, policy=policy
        )
        if self.log is not None:
            now = datetime.now(UTC)
            self.log.write([make_record(c, d, now=now) for c, d in zip(contacts, decisions, strict=True)])
        return decisions
