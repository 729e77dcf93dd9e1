"""Shared fixtures: a small hand-written data set, a tiny fitted model, one MLflow store per session."""

from __future__ import annotations

import itertools
import os
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("TRIAGE_MONITORING_WORKSPACE", tempfile.mkdtemp(prefix="triage-workspace-"))

# A few intents of the default council taxonomy, each with its own vocabulary.
TEMPLATES: dict[str, list[str]] = {
    "missed_bin_collection": [
        "my {bin} bin was not collected on {day}",
        "the bin men missed our {bin} bin {day}",
        "{bin} recycling not emptied this week, collection day was {day}",
        "you forgot to empty my {bin} bin on {day} again",
    ],
    "council_tax_payment": [
        "how do i pay my council tax {extra}",
        "i want to set up a direct debit for council tax {extra}",
        "can i pay the council tax bill by card {extra}",
        "change the date my council tax payment comes out {extra}",
    ],
    "pothole_report": [
        "there is a huge pothole on {street}",
        "the road surface on {street} is broken and dangerous",
        "pothole outside number 4 {street} damaged my tyre",
        "reporting a crater in the road at {street}",
    ],
    "noise_complaint": [
        "my neighbours play loud music every night {extra}",
        "the dog next door barks all day and night {extra}",
        "noisy party upstairs until 3am {extra}",
        "constant banging and shouting from the flat next door {extra}",
    ],
    "parking_permit": [
        "how do i get a resident parking permit for {street}",
        "visitor parking permit for my mum {extra}",
        "renew my parking permit {extra}",
        "i need a permit to park outside my house on {street}",
    ],
    "damp_and_mould": [
        "black mould is growing in the bedroom {extra}",
        "damp patches on the walls of my council flat {extra}",
        "condensation and mould in the bathroom won't go away {extra}",
        "the kids room has mould and the walls are wet {extra}",
    ],
}
SLOTS = {
    "bin": ["green", "blue", "black", "brown", "food"],
    "day": ["monday", "tuesday", "wednesday", "thursday", "friday"],
    "street": ["station road", "high street", "mill lane", "church street", "park avenue"],
    "extra": ["", "please", "thanks", "as soon as possible", "today", "urgently"],
}


def make_contacts(per_intent: int = 60, seed: int = 0) -> pd.DataFrame:
    """A small labelled data set from the templates above (deterministic for a seed)."""
    rng = random.Random(seed)
    rows = []
    for intent, templates in TEMPLATES.items():
        for template in itertools.islice(itertools.cycle(templates), per_intent):
            text = template.format(**{k: rng.choice(v) for k, v in SLOTS.items()}).strip()
            rows.append({"text": text, "intent": intent, "channel": rng.choice(["web", "email", "chat"])})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="session")
def contacts() -> pd.DataFrame:
    return make_contacts()


@pytest.fixture(scope="session")
def fitted_model(contacts: pd.DataFrame):
    """A calibrated, tuned TriageModel on the small data set (no MLflow)."""
    from training.fit import FitOptions, fit_model
    from triage.taxonomy import load_taxonomy

    return fit_model(contacts, taxonomy=load_taxonomy(), options=FitOptions(target_precision=0.9)).model


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite MLflow store for the whole session (its first use costs ~15 s of migrations)."""
    folder = tmp_path_factory.mktemp("mlflow")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder}/mlflow.db"
    os.environ["TRIAGE_ARTIFACT_ROOT"] = str(folder / "artifacts")
    return folder


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
