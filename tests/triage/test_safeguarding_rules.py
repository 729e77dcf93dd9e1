"""Safeguarding rules: explicit statements fire; everyday phrases that only look alarming never do."""

from __future__ import annotations

import pytest

from triage.safeguarding import SafeguardingClassifier, SafeguardingDetector, match_rules

# Hand-written look-alikes: alarming words used figuratively or about things, not people.
LOOK_ALIKES = [
    "I'm dying to know when my bin gets collected",
    "Please kill the direct debit for council tax, I've moved",
    "This parking fine is killing me, can I appeal it?",
    "We're dying for the new school term dates",
    "The street light outside number 12 has died again",
    "My phone battery died so I couldn't finish the form",
    "The dead tree on the verge needs cutting back",
    "What's the deadline for school applications?",
    "Kill the noise from the building site please, it starts at 6am",
    "The queue on your phone line is a killer",
    "I'm sick to death of reporting the same pothole",
    "The weeds are killing my hedge, does the council spray them?",
    "Can you kill off my garden waste subscription",
    "Bored to death waiting for a planning decision",
    "Dead easy form, thanks, just want to check it went through",
    "The rats are back, please send someone to kill the rats",
]

EXPLICIT = [
    ("I can't go on any more, I want to end it all", "risk_to_life"),
    ("honestly i dont want to be here anymore", "risk_to_life"),
    ("I've been self-harming again since the eviction letter", "risk_to_life"),
    ("my partner hits me and I need to get out", "domestic_abuse"),
    ("I'm scared to go home to him, he threatened me last night", "domestic_abuse"),
    ("the kids next door are left home alone all night", "child_or_adult_at_risk"),
    ("my elderly neighbour hasn't been seen for days", "child_or_adult_at_risk"),
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_never_fire_the_rules(text: str) -> None:
    assert match_rules(text) is None


@pytest.mark.parametrize(("text", "category"), EXPLICIT)
def test_explicit_statements_fire_with_their_category(text: str, category: str) -> None:
    signal = match_rules(text)
    assert signal is not None and signal.category == category and signal.source == "rule"
    assert "Safeguarding rule" in signal.reason


def test_learned_model_catches_indirect_wording_and_not_look_alikes() -> None:
    vulnerable = {
        "financial_hardship": [
            "we have been going to the food bank for weeks",
            "I have five pounds left until payday",
            "it's heating or eating for us this winter",
            "i skip meals so the kids can eat",
        ],
        "bereavement": [
            "my husband passed away last month and I can't cope",
            "since mum died I haven't opened the post",
            "we lost our son in march and I'm struggling",
            "I'm newly widowed and he did all the bills",
        ],
    }
    ordinary = [
        "how do i pay my council tax",
        "my bin was not collected on tuesday",
        "pothole on station road",
        "renew my parking permit",
        "when is the library open",
        "book a bulky waste collection for a sofa",
        "apply for a school place",
        "register to vote",
    ]
    texts, labels = [], []
    for category, examples in vulnerable.items():
        for example in examples * 5:
            texts.append(f"about my council tax. {example}")
            labels.append(category)
    for example in ordinary * 5:
        texts.append(f"about my council tax. {example}")
        labels.append("none")
    texts += LOOK_ALIKES  # the generator ships look-alikes labelled as not vulnerable; so does this toy set
    labels += ["none"] * len(LOOK_ALIKES)
    detector = SafeguardingDetector(classifier=SafeguardingClassifier().fit(texts, labels), threshold=0.5)
    unseen_look_alikes = ["this council tax bill is killing me", "dying to know if my permit came through"]
    signals = detector.detect(["my wife passed away and I can't cope with the bills", *unseen_look_alikes])
    assert signals[0] is not None and signals[0].category == "bereavement" and signals[0].source == "model"
    assert signals[1:] == [None, None]
