"""Routing contacts end to end: score, decide, redact and record, in that order.

Used by the HTTP service and the CLI, so both make exactly the same decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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
    """Decides where contacts go; with a decision log, each decision is stored before it is returned.

    ``serving`` and ``shadow`` may be replaced at any time (model releases); each call reads them once,
    so one batch is never split across two versions.
    """

    def __init__(
        self, *, serving: ServingModel, log: DecisionLog | None = None, shadow: ServingModel | None = None
    ) -> None:
        self.serving = serving
        self.shadow = shadow
        self.log = log

    def route(self, contacts: Sequence[Contact], *, policy: PolicyConfig | None = None) -> list[Decision]:
        serving, shadow = self.serving, self.shadow
        texts = [contact.text for contact in contacts]
        languages = [contact.language for contact in contacts]
        decisions = serving.model.decide(texts, model_version=serving.version, policy=policy, languages=languages)
        shadows: list[dict[str, Any] | None] = [None] * len(decisions)
        if shadow is not None:
            shadows = [
                _shadow_summary(d)
                for d in shadow.model.decide(texts, model_version=shadow.version, languages=languages)
            ]
        if self.log is not None:
            now = datetime.now(UTC)
            self.log.write(
                [make_record(c, d, now=now, shadow=s) for c, d, s in zip(contacts, decisions, shadows, strict=True)]
            )
        return decisions


def _shadow_summary(decision: Decision) -> dict[str, Any]:
    return {
        "model_version": decision.model_version,
        "intent": decision.intent,
        "confidence": decision.confidence,
        "accepted": decision.accepted,
        "route": decision.route,
        "queue": decision.queue,
        "rule": decision.rule,
    }
