from __future__ import annotations

import numpy as np
import pytest

from triage.policy import PolicyConfig, RoutingPolicy
from triage.taxonomy import load_taxonomy

CLASSES = np.array(["council_tax_payment", "damp_and_mould", "missed_bin_collection"])


def decide(proba: list[float], text: str = "my bin was not collected", **config: object):
    policy = RoutingPolicy(taxonomy=load_taxonomy(), config=PolicyConfig(**config))  # type: ignore[arg-type]
    return policy.decide(text, CLASSES, np.array(proba), decision_id="d1", model_version="m/1")


def test_confident_self_service_intent_gets_its_answer() -> None:
    decision = decide([0.05, 0.05, 0.90], acceptance_threshold=0.6)
    assert decision.accepted and decision.route == "self_service"
    assert decision.intent == "missed_bin_collection" and decision.queue is None
    assert decision.answer is not None and decision.answer.id == "waste-missed"
    assert decision.rule == "accepted"
    assert [a.intent for a in decision.alternatives] == [
        "missed_bin_collection",
        "council_tax_payment",
        "damp_and_mould",
    ]
    assert decision.reasons and "missed_bin_collection" in decision.reasons[0]


def test_confident_queue_intent_goes_to_its_queue_with_its_priority() -> None:
    decision = decide([0.02, 0.95, 0.03], text="black mould in the bedroom")
    assert decision.accepted and decision.route == "human"
    assert decision.queue == "housing_repairs" and decision.priority == "high" and decision.answer is None


def test_below_threshold_goes_to_the_fallback_queue() -> None:
    decision = decide([0.2, 0.25, 0.55], acceptance_threshold=0.6)
    assert not decision.accepted and decision.route == "human"
    assert decision.queue == "general_enquiries" and decision.rule == "below_threshold"
    assert decision.intent == "missed_bin_collection"
    assert "0.55" in decision.reasons[0]


def test_ambiguous_top_two_go_to_a_person() -> None:
    decision = decide([0.47, 0.03, 0.50], acceptance_threshold=0.4, ambiguity_margin=0.1)
    assert not decision.accepted and decision.rule == "ambiguous"
    assert "council_tax_payment" in decision.reasons[0]


def test_per_intent_threshold_overrides_the_global_one() -> None:
    strict = decide([0.05, 0.05, 0.90], acceptance_threshold=0.5, intent_thresholds={"missed_bin_collection": 0.95})
    assert not strict.accepted and strict.rule == "below_threshold"


@pytest.mark.parametrize(
    "text",
    [
        "my bin was not collected, can I speak to a real person please",
        "I want to talk to someone about my bin",
        "put me through to an advisor, bin missed again",
    ],
)
def test_a_person_who_asks_for_a_person_gets_one_whatever_the_confidence(text: str) -> None:
    decision = decide([0.0, 0.0, 1.0], text=text)
    assert decision.route == "human" and not decision.accepted
    assert decision.queue == "customer_services"
    assert decision.rule == "human_request:asked_for_person"
    assert "asked for a person" in decision.reasons[0]


def test_cannot_use_online_services_goes_to_a_person() -> None:
    decision = decide([0.0, 0.0, 1.0], text="bin not collected, I'm registered blind and can't use the website")
    assert decision.route == "human" and decision.rule == "human_request:cannot_use_online"


def test_governance_switches() -> None:
    off = decide([0.0, 0.0, 1.0], automation_enabled=False)
    assert off.route == "human" and off.rule == "automation_off"
    disabled = decide([0.0, 0.0, 1.0], disabled_intents=frozenset({"missed_bin_collection"}))
    assert disabled.route == "human" and disabled.rule == "intent_disabled"


def test_policy_version_tracks_settings() -> None:
    assert PolicyConfig().version == PolicyConfig().version
    assert PolicyConfig().version != PolicyConfig(acceptance_threshold=0.7).version


def test_safeguarding_beats_confidence_and_requests() -> None:
    from triage.safeguarding import SafeguardingSignal

    signal = SafeguardingSignal(category="domestic_abuse", reason="rule matched", source="rule", score=1.0)
    policy = RoutingPolicy(taxonomy=load_taxonomy(), config=PolicyConfig())
    decision = policy.decide(
        "can I speak to someone, my bin was missed",
        CLASSES,
        np.array([0.0, 0.0, 1.0]),
        decision_id="d",
        model_version="m",
        safeguarding=signal,
    )
    assert decision.route == "human" and decision.queue == "safeguarding" and decision.priority == "urgent"
    assert decision.safeguarding is not None and decision.safeguarding.category == "domestic_abuse"
    assert decision.rule == "safeguarding:domestic_abuse" and not decision.accepted


def welsh(proba: list[float], text: str = "Mae fy min heb ei gasglu", taxonomy=None):
    policy = RoutingPolicy(taxonomy=taxonomy or load_taxonomy(), config=PolicyConfig())
    return policy.decide(text, CLASSES, np.array(proba), decision_id="d", model_version="m", welsh=True)


def test_welsh_contacts_never_get_an_english_answer() -> None:
    served = welsh([0.0, 0.0, 1.0])
    assert served.language == "cy" and served.route == "human" and served.queue == "welsh_language"
    assert served.answer is None and served.rule == "welsh_no_answer"
    unsure = welsh([0.3, 0.3, 0.4])
    assert unsure.queue == "welsh_language" and unsure.rule == "below_threshold"
    damp = welsh([0.0, 1.0, 0.0])
    assert damp.queue == "welsh_language" and damp.priority == "high" and damp.accepted


def test_a_welsh_answer_is_used_when_the_taxonomy_has_one() -> None:
    from triage.taxonomy import Answer

    base = load_taxonomy()
    intents = [
        i.model_copy(update={"answer_cy": Answer(id="cy-bin", title="Bin", url="https://x/cy", text="Cymraeg")})
        if i.name == "missed_bin_collection"
        else i
        for i in base.intents
    ]
    taxonomy = base.model_validate({**base.model_dump(), "intents": [i.model_dump() for i in intents]})
    served = welsh([0.0, 0.0, 1.0], taxonomy=taxonomy)
    assert served.route == "self_service" and served.answer is not None and served.answer.id == "cy-bin"
