"""Fixtures for the monitoring tests: hand-made contacts and a small TF-IDF TriageModel with a reference (no MLflow).

Tests run with ``--import-mode=importlib``, so they cannot import helpers from here: the ``kit`` fixture hands
them the text makers instead.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from types import SimpleNamespace

import pandas as pd
import pytest

from triage.classifiers.tfidf import TfidfClassifier
from triage.model import ModelCard, TriageModel
from triage.policy import PolicyConfig
from triage.taxonomy import load_taxonomy
from triage.text import build_vocabulary

# Six intents of the default council taxonomy, each with its own words.
INTENT_TEMPLATES: dict[str, list[str]] = {
    "missed_bin_collection": [
        "my {bin} bin was not collected on {day}",
        "the bin lorry missed our {bin} bin on {day}",
        "{bin} recycling not emptied this week, our collection day is {day}",
        "you forgot to empty my {bin} bin on {day} again. It is overflowing",
    ],
    "council_tax_payment": [
        "how do i pay my council tax {extra}",
        "i want to set up a direct debit for my council tax {extra}",
        "can i pay the council tax bill by card {extra}",
        "please change the date my council tax payment comes out {extra}",
    ],
    "pothole_report": [
        "there is a huge pothole on {street}",
        "the road surface on {street} is broken and dangerous",
        "a pothole outside number 4 {street} damaged my tyre",
        "reporting a deep hole in the road at {street}. Cyclists keep swerving",
    ],
    "noise_complaint": [
        "my neighbours play loud music every night {extra}",
        "the dog next door barks all day and night {extra}",
        "noisy party upstairs until 3am on {day}",
        "constant banging and shouting from the flat next door {extra}",
    ],
    "parking_permit": [
        "how do i get a resident parking permit for {street}",
        "i need a visitor parking permit for my mum {extra}",
        "renew my parking permit {extra}",
        "can i have a permit to park outside my house on {street}",
    ],
    "housing_repair": [
        "the boiler in my council house is broken {extra}",
        "my kitchen tap is leaking and needs a repair {extra}",
        "the front door lock on my council flat is broken {extra}",
        "a window in my council house will not close {extra}",
    ],
}
SLOTS = {
    "bin": ["green", "blue", "black", "brown", "food"],
    "day": ["monday", "tuesday", "wednesday", "thursday", "friday"],
    "street": ["station road", "high street", "mill lane", "church street", "park avenue"],
    "extra": ["", "please", "thanks", "as soon as possible", "today", "this week"],
}
# Contacts about something the model never learned: almost every word is out of its vocabulary.
NOVEL_TEMPLATES = [
    "where is my {scheme} energy rebate voucher, the portal rejected my reference",
    "eligibility for the {scheme} heating grant scheme for pensioners",
    "solar panel insulation subsidy application under {scheme} still pending",
    "household support fund {scheme} cost of living top up not received",
]
NOVEL_SLOTS = {"scheme": ["warm homes", "greener futures", "winter fuel", "retrofit plus"]}
CHANNELS = ("web", "email", "chat")


def make_texts(counts: dict[str, int], *, seed: int) -> pd.DataFrame:
    """``counts[intent]`` texts per intent (templates in turn, random slots), shuffled; column ``label``."""
    rng = random.Random(seed)
    rows = []
    for intent, n in counts.items():
        for template in itertools.islice(itertools.cycle(INTENT_TEMPLATES[intent]), n):
            text = template.format(**{k: rng.choice(v) for k, v in SLOTS.items()}).strip()
            rows.append({"text": text, "label": intent, "channel": CHANNELS[len(rows) % len(CHANNELS)]})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def balanced(n_per_intent: int) -> dict[str, int]:
    return dict.fromkeys(INTENT_TEMPLATES, n_per_intent)


def make_novel_texts(n: int, *, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i, template in enumerate(itertools.islice(itertools.cycle(NOVEL_TEMPLATES), n)):
        rows.append({"text": template.format(scheme=rng.choice(NOVEL_SLOTS["scheme"])), "label": "unknown"})
        rows[-1]["channel"] = CHANNELS[i % len(CHANNELS)]
    return pd.DataFrame(rows)


def scored(model: TriageModel, texts: pd.DataFrame) -> pd.DataFrame:
    """The texts with the model's decisions, in the columns the decision log and the reference use."""
    decisions = model.decide(texts["text"].tolist(), model_version="test")
    return texts.assign(
        intent=[d.intent for d in decisions],
        confidence=[d.confidence for d in decisions],
        accepted=[d.accepted for d in decisions],
        route=[d.route for d in decisions],
        queue=[d.queue for d in decisions],
    )


def build_model(*, n_train_per_intent: int = 60, n_reference_per_intent: int = 50, with_reference: bool = True):
    train = make_texts(balanced(n_train_per_intent), seed=1)
    classifier = TfidfClassifier().fit(train["text"].tolist(), train["label"].to_numpy())
    model = TriageModel(
        classifier=classifier,
        taxonomy=load_taxonomy(None).covering(train["label"].unique()),
        policy=PolicyConfig(),
        card=ModelCard(
            model_type="tfidf",
            trained_at=datetime(2026, 1, 1, tzinfo=UTC),
            n_train=len(train),
            n_validation=0,
            label_counts=train["label"].value_counts().to_dict(),
            dataset_hash="test",
        ),
        vocabulary=build_vocabulary(train["text"]),
    )
    if with_reference:
        model.reference = scored(model, make_texts(balanced(n_reference_per_intent), seed=2))
    return model


@pytest.fixture(scope="session")
def drift_model() -> TriageModel:
    """A TF-IDF model on 360 texts with a 300-row reference."""
    return build_model()


@pytest.fixture(scope="session")
def model_without_reference(drift_model: TriageModel) -> TriageModel:
    """The same model without a reference sample (as when training had too few held-out rows)."""
    return TriageModel(
        classifier=drift_model.classifier,
        taxonomy=drift_model.taxonomy,
        policy=drift_model.policy,
        card=drift_model.card,
        vocabulary=drift_model.vocabulary,
    )


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above for tests: texts, balanced, novel, scored, build_model."""
    return SimpleNamespace(
        texts=make_texts, balanced=balanced, novel=make_novel_texts, scored=scored, build_model=build_model
    )
