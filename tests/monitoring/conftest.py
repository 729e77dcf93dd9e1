"""Fixtures for the monitoring tests: hand-made contacts and a small TF-IDF TriageModel with a reference (no MLflow).

Tests run with ``--import-mode=importlib``, so they cannot import helpers from here: the ``kit`` fixture hands
them the text makers instead.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pandas as pd
import pytest

from triage.classifiers.tfidf import TfidfClassifier
from triage.decision_log import DecisionLog
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


@pytest.fixture(autouse=True)
def _workspace_in_tmp(tmp_path, monkeypatch) -> None:
    """CLI runs add dashboard snapshots: keep them out of the repository's var/workspace."""
    monkeypatch.setenv("TRIAGE_MONITORING_WORKSPACE", str(tmp_path / "workspace"))


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


# --- Drift scenarios routed through the service -------------------------------------------------------------------

STREAM_SEED = 5
PER_DAY = 150
WINDOW_DAYS = 2  # 300 decisions per window (see test_scenarios.py for why not 1)
CONTROL_DAYS = 20  # the `none` control: 10 windows
SCENARIO_DAYS = 12  # change point at day 6: windows [4, 6) before it and [6, 8) the first full one after
MODEL_VERSION = "triage/stream-test"


@pytest.fixture(scope="session")
def stream_model() -> TriageModel:
    """A TF-IDF model trained on 3,000 contacts of the generator's normal data.

    85% train; the held-out 15% calibrates confidence, tunes the threshold and is the drift reference (so the
    reference's oov_rate is measured against a vocabulary that never saw it, as in the lead's fit.py fix).
    One BLAS/OpenMP thread: on 2 cores, two threads make logistic regression twice as slow here.
    """
    pytest.importorskip("synthetic.stream", reason="the drift scenarios need synthetic.stream")
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    from synthetic.generator import generate_contacts
    from training.fit import FitOptions, fit_model

    contacts = generate_contacts(3000, seed=11)
    train, held_out = train_test_split(contacts, test_size=0.15, stratify=contacts["intent"], random_state=0)
    with threadpool_limits(1):
        return fit_model(train, taxonomy=load_taxonomy(None), options=FitOptions(), validation=held_out).model


@dataclass(frozen=True)
class RoutedWindow:
    """Decisions the service made for one window of a stream, found by arrival time in the log."""

    scenario: str
    index: int  # window number: days [index * WINDOW_DAYS, (index + 1) * WINDOW_DAYS) of the stream
    since: str
    until: str
    n: int
    drifted: bool  # any row of the window is after the change point


@dataclass(frozen=True)
class ScenarioLog:
    db_url: str
    windows: dict[tuple[str, int], RoutedWindow]
    change_window: int


def _route_windows(client, log, stream: pd.DataFrame, scenario: str, indices) -> list[RoutedWindow]:
    """POST each window's rows to /v1/route/batch, then record each agent's true intent as feedback.

    The service stamps decisions with its own clock, so each window is the arrival interval of its rows.
    Feedback goes through ``DecisionLog.add_feedback``, the call POST /v1/feedback makes (7,200 HTTP calls
    would triple this fixture's time; tests/serve covers the endpoint).
    """
    from triage.schemas import Feedback

    day = (pd.to_datetime(stream["timestamp"]) - pd.to_datetime(stream["timestamp"]).min().normalize()).dt.days
    out = []
    for index in indices:
        rows = stream[(day // WINDOW_DAYS) == index]
        since = datetime.now(UTC)
        ids = []
        for start in range(0, len(rows), 100):
            chunk = rows.iloc[start : start + 100]
            contacts = [
                {"text": r.text, "channel": r.channel, "language": r.language, "metadata": {"region": r.region}}
                for r in chunk.itertuples()
            ]
            response = client.post("/v1/route/batch", json={"contacts": contacts})
            assert response.status_code == 200, response.text
            ids.extend(d["decision_id"] for d in response.json()["decisions"])
        until = datetime.now(UTC) + timedelta(microseconds=1)
        for decision_id, true_intent in zip(ids, rows["intent"], strict=True):
            log.add_feedback(Feedback(decision_id=decision_id, true_intent=true_intent))
        out.append(
            RoutedWindow(
                scenario=scenario,
                index=index,
                since=since.isoformat(),
                until=until.isoformat(),
                n=len(rows),
                drifted=bool(rows["drifted"].any()),
            )
        )
    return out


@pytest.fixture(scope="session")
def scenario_log(stream_model, tmp_path_factory) -> ScenarioLog:
    """Every scenario's stream routed through the real service (FastAPI app, micro-batcher, decision log).

    The `none` control: all 10 windows. Each drift scenario: the last window before its change point and the
    first full one after it (its earlier windows hold exactly the control's contacts: same seed).
    """
    from fastapi.testclient import TestClient

    from serve.app import create_app
    from serve.settings import ServeSettings
    from synthetic.scenarios import SCENARIOS
    from synthetic.stream import generate_stream
    from triage.router import ServingModel

    db_url = f"sqlite:///{tmp_path_factory.mktemp('scenarios')}/decisions.db"
    settings = ServeSettings(db_url=db_url, dev_mode=True, model_poll_seconds=0)
    app = create_app(settings, model_loader=lambda: ServingModel(model=stream_model, version=MODEL_VERSION))
    change_window = (SCENARIO_DAYS // 2) // WINDOW_DAYS
    windows: dict[tuple[str, int], RoutedWindow] = {}
    log = DecisionLog(db_url)
    with TestClient(app) as client:
        for scenario in SCENARIOS:
            days = CONTROL_DAYS if scenario == "none" else SCENARIO_DAYS
            stream, meta = generate_stream(scenario, days=days, per_day=PER_DAY, seed=STREAM_SEED)
            indices = range(days // WINDOW_DAYS) if scenario == "none" else (change_window - 1, change_window)
            if scenario != "none":
                assert meta.change_day == change_window * WINDOW_DAYS
            for routed in _route_windows(client, log, stream, scenario, indices):
                windows[(scenario, routed.index)] = routed
    log.close()
    return ScenarioLog(db_url=db_url, windows=windows, change_window=change_window)
