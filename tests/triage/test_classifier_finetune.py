"""The fine-tuned MiniLM classifier: contract, determinism, pickling without the hub (small data, 1 epoch)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from triage.classifiers.finetune import FineTunedClassifier
from triage.errors import DataError


def small(contacts: pd.DataFrame) -> pd.DataFrame:
    return contacts.groupby("intent").head(8)


def test_contract_before_fitting() -> None:
    model = FineTunedClassifier(epochs=2, batch_size=4)
    assert model.get_params()["epochs"] == 2 and model.get_params()["batch_size"] == 4
    for method in (model.predict, model.predict_proba, model.embed):
        with pytest.raises(NotFittedError):
            method(["my bin"])
    assert clone(model).get_params() == model.get_params()
    assert pickle.loads(pickle.dumps(model)).get_params() == model.get_params()
    assert FineTunedClassifier.refit_on_all_data is False


def test_refuses_zero_epochs(contacts: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="epochs"):
        FineTunedClassifier(epochs=0).fit(contacts.text, contacts.intent)


@pytest.mark.slow
def test_fits_deterministically_and_round_trips_through_pickle(contacts: pd.DataFrame) -> None:
    data = small(contacts)
    texts = ["my green bin was not collected", "there is a pothole on the high street"]
    params = {"epochs": 1, "batch_size": 8, "learning_rate": 5e-4, "device": "cpu", "seed": 3}
    first = FineTunedClassifier(**params)
    assert first.fit(data.text, data.intent) is first
    assert set(first.classes_) == set(contacts.intent)
    proba = first.predict_proba(texts)
    assert proba.shape == (2, 6) and np.allclose(proba.sum(axis=1), 1.0)
    again = FineTunedClassifier(**params).fit(data.text, data.intent)
    assert np.allclose(again.predict_proba(texts), proba, atol=1e-6)

    blob = pickle.dumps(first)
    assert b"sentence-transformers/" not in blob and b"site-packages" not in blob  # no hub id, no local path
    restored = pickle.loads(blob)
    assert np.array_equal(restored.predict_proba(texts), proba)
    embeddings = restored.embed(texts)
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    assert not hasattr(clone(first), "classes_")


@pytest.mark.slow
def test_learns_the_training_data(contacts: pd.DataFrame) -> None:
    data = small(contacts)
    model = FineTunedClassifier(epochs=1, batch_size=8, learning_rate=5e-4, device="cpu").fit(data.text, data.intent)
    assert (model.predict(data.text) == data.intent.to_numpy()).mean() > 0.6  # chance is 1/6
