"""The routing policy: from calibrated scores and rules to a decision with plain-English reasons.

Order of precedence (first match wins):
0. signs of vulnerability (safeguarding) -> the safeguarding queue at urgent priority;
1. an explicit request for a person, or a statement that online services will not work -> human;
2. a contact that looks like nothing the model was trained on (in-scope score below
   ``out_of_scope_threshold``, when the model has an out-of-scope scorer) is never accepted;
3. otherwise the top intent is *accepted* only when its confidence clears the acceptance threshold
   (per intent where one was tuned) and beats the runner-up by the ambiguity margin;
4. accepted self-service intents -> self-service with the answer; accepted queue intents -> their queue;
   anything not accepted -> the fallback queue.
A Welsh contact never gets an English-only answer: it gets the intent's Welsh answer when the taxonomy
has one, otherwise it goes to the taxonomy's Welsh-language queue (or, without one, the fallback queue).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from triage.human_request import detect_human_request
from triage.safeguarding import SafeguardingSignal
from triage.schemas import Alternative, Decision, Safeguarding
from triage.taxonomy import Taxonomy

POLICY_SCHEMA = "1"
PRIORITY_ORDER = ("normal", "high", "urgent")


class PolicyConfig(BaseModel):
    """The numbers the policy decides with; stored with each model and shown by `GET /v1/model`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    acceptance_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    ambiguity_margin: float = Field(default=0.1, ge=0.0, le=1.0)
    intent_thresholds: dict[str, float] = Field(default_factory=dict)
    target_precision: float | None = Field(default=None, description="What the thresholds were tuned to.")
    threshold_source: str = Field(default="default", description="tuned (on held-out data) or default.")
    disabled_intents: frozenset[str] = Field(default_factory=frozenset, description="Never automated.")
    automation_enabled: bool = True
    out_of_scope_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="In-scope score below which a contact is out of scope and never accepted; null: no check.",
    )

    @property
    def version(self) -> str:
        """A short stable identifier of these settings (changes whenever any setting changes)."""
        settings = self.model_dump(mode="json")
        if settings["out_of_scope_threshold"] is None:  # policies from before the setting keep their version
            del settings["out_of_scope_threshold"]
        payload = json.dumps(settings, sort_keys=True, default=sorted).encode()
        return f"p{POLICY_SCHEMA}-{hashlib.sha256(payload).hexdigest()[:10]}"

    def threshold_for(self, intent: str) -> float:
        return self.intent_thresholds.get(intent, self.acceptance_threshold)


class RoutingPolicy:
    """Turns one row of calibrated probabilities into a :class:`Decision`."""

    def __init__(self, *, taxonomy: Taxonomy, config: PolicyConfig) -> None:
        self.taxonomy = taxonomy
        self.config = config

    def decide(
        self,
        text: str,
        classes: np.ndarray,
        proba: np.ndarray,
        *,
        decision_id: str,
        model_version: str,
        safeguarding: SafeguardingSignal | None = None,
        welsh: bool = False,
        in_scope: float | None = None,
    ) -> Decision:
        """Safeguarding first, then the route; a Welsh contact is then served in Welsh (see module docs).

        ``in_scope`` is the model's out-of-scope score for the text (``None`` when the model has no scorer).
        """
        decision = self._route(
            text,
            classes,
            proba,
            decision_id=decision_id,
            model_version=model_version,
            safeguarding=safeguarding,
            in_scope=in_scope,
        )
        decision.language = "cy" if welsh else "en"
        return self._in_welsh(decision) if welsh else decision

    def _route(
        self,
        text: str,
        classes: np.ndarray,
        proba: np.ndarray,
        *,
        decision_id: str,
        model_version: str,
        safeguarding: SafeguardingSignal | None,
        in_scope: float | None = None,
    ) -> Decision:
        order = np.argsort(-proba, kind="stable")
        top, confidence = str(classes[order[0]]), float(proba[order[0]])
        runner_up = float(proba[order[1]]) if len(order) > 1 else 0.0
        alternatives = [Alternative(intent=str(classes[i]), confidence=round(float(proba[i]), 6)) for i in order[:3]]
        common = {
            "decision_id": decision_id,
            "intent": top,
            "confidence": round(confidence, 6),
            "alternatives": alternatives,
            "model_version": model_version,
            "policy_version": self.config.version,
        }
        intent = self.taxonomy.get(top)
        threshold = self.config.threshold_for(top)
        confidence_reason = (
            f"The most likely intent is {top} with confidence {confidence:.2f} "
            f"(threshold {threshold:.2f}); the runner-up has {runner_up:.2f} "
            f"(margin needed {self.config.ambiguity_margin:.2f})."
        )

        if safeguarding is not None:
            queue = self.taxonomy.safeguarding_queue
            return Decision(
                **common,
                accepted=False,
                route="human",
                queue=queue.name,
                priority="urgent",
                answer=None,
                rule=f"safeguarding:{safeguarding.category}",
                safeguarding=Safeguarding(category=safeguarding.category, reason=safeguarding.reason),
                reasons=[
                    f"Possible vulnerability ({safeguarding.category.replace('_', ' ')}): a person from the "
                    f"{queue.name} team handles this first, whatever the classifier says. {safeguarding.reason}",
                    confidence_reason,
                ],
            )
        request = detect_human_request(text)
        if request is not None:
            queue = self.taxonomy.person_queue
            return Decision(
                **common,
                accepted=False,
                route="human",
                queue=queue.name,
                priority=queue.priority,
                answer=None,
                rule=f"human_request:{request.kind}",
                reasons=[request.reason, confidence_reason],
            )
        if not self.config.automation_enabled:
            return self._fallback(
                common,
                "automation_off",
                [
                    "Automation is switched off by a governance control: every contact goes to a person.",
                    confidence_reason,
                ],
            )
        oos_threshold = self.config.out_of_scope_threshold
        if in_scope is not None and oos_threshold is not None and in_scope < oos_threshold:
            return self._fallback(
                common,
                "out_of_scope",
                [
                    f"This does not look like any intent the model knows (in-scope score {in_scope:.2f}, below the "
                    f"{oos_threshold:.2f} needed), so a person will decide.",
                    confidence_reason,
                ],
            )
        if confidence < threshold or threshold >= 1.0:  # a threshold of 1.0 means: never automate
            return self._fallback(
                common,
                "below_threshold",
                [
                    f"Not confident enough to act: {top} scored {confidence:.2f}, below the {threshold:.2f} "
                    "needed, so a person will decide.",
                    confidence_reason,
                ],
            )
        if confidence - runner_up < self.config.ambiguity_margin:
            second = alternatives[1].intent if len(alternatives) > 1 else "another intent"
            return self._fallback(
                common,
                "ambiguous",
                [
                    f"Ambiguous: {top} ({confidence:.2f}) and {second} ({runner_up:.2f}) are too close to call, "
                    "so a person will decide.",
                    confidence_reason,
                ],
            )
        if top in self.config.disabled_intents:
            return self._fallback(
                common,
                "intent_disabled",
                [
                    f"Automation for {top} is switched off by a governance control, so a person will handle it.",
                    confidence_reason,
                ],
            )
        if intent is None:
            return self._fallback(
                common,
                "unknown_intent",
                [
                    f"{top} is not in the taxonomy {self.taxonomy.name!r}, so it has no route; a person will decide.",
                    confidence_reason,
                ],
            )
        if intent.route == "self_service":
            return Decision(
                **common,
                accepted=True,
                route="self_service",
                queue=None,
                priority="normal",
                answer=intent.answer,
                rule="accepted",
                reasons=[
                    f"Confident this is {top}: self-service answer {intent.answer.id!r}.",  # type: ignore[union-attr]
                    confidence_reason,
                ],
            )
        queue = intent.queue
        assert queue is not None  # guaranteed by Intent validation
        return Decision(
            **common,
            accepted=True,
            route="human",
            queue=queue.name,
            priority=queue.priority,
            answer=None,
            rule="accepted",
            reasons=[
                f"Confident this is {top}, which is handled by the {queue.name} team at {queue.priority} priority.",
                confidence_reason,
            ],
        )

    def _in_welsh(self, decision: Decision) -> Decision:
        """Never an English-only answer for a Welsh contact: a Welsh answer, or Welsh-speaking staff."""
        welsh_queue = self.taxonomy.welsh_queue
        if decision.safeguarding is not None:
            decision.reasons.append("The contact is in Welsh: the safeguarding team should reply in Welsh.")
            return decision
        if decision.route == "self_service":
            intent = self.taxonomy.get(decision.intent or "")
            if intent is not None and intent.answer_cy is not None:
                decision.answer = intent.answer_cy
                decision.reasons.insert(0, f"The contact is in Welsh: Welsh answer {intent.answer_cy.id!r}.")
                return decision
            target = welsh_queue or self.taxonomy.fallback_queue
            decision.route, decision.answer, decision.rule = "human", None, "welsh_no_answer"
            decision.queue, decision.priority = target.name, target.priority
            decision.reasons.insert(
                0, f"The contact is in Welsh and {decision.intent} has no Welsh answer, so it goes to {target.name}."
            )
            return decision
        if welsh_queue is not None and decision.queue != welsh_queue.name:
            decision.reasons.insert(
                0,
                f"The contact is in Welsh: routed to {welsh_queue.name} so a Welsh speaker handles it "
                f"(otherwise {decision.queue}).",
            )
            decision.queue = welsh_queue.name
            decision.priority = max(decision.priority, welsh_queue.priority, key=PRIORITY_ORDER.index)
        return decision

    def _fallback(self, common: dict, rule: str, reasons: list[str]) -> Decision:
        queue = self.taxonomy.fallback_queue
        return Decision(
            **common,
            accepted=False,
            route="human",
            queue=queue.name,
            priority=queue.priority,
            answer=None,
            rule=rule,
            reasons=reasons,
        )
