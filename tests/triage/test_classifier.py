from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from triage.classifiers import MODEL_TYPES, make_classifier
from triage.classifiers.tfidf import TfidfClassifier
from triage.errors import DataError, UnknownModelTypeError


def test_follows_the_estimator_contract(contacts: pd.DataFrame) -> None:
    model = TfidfClassifier(C=5.0)
    assert model.get_params()["C"] == 5.0
    with pytest.raises(NotFittedError):
        model.predict(["anything"])
    fitted = model.fit(contacts.text, contacts.intent)
    assert fitted is model
    assert set(model.classes_) == set(contacts.intent)
    proba = model.predict_proba(["my green bin was not collected on monday"])
    assert proba.shape == (1, len(model.classes_))
    assert np.isclose(proba.sum(), 1.0)
    assert model.predict(["my green bin was not collected on monday"])[0] == "missed_bin_collection"
    assert not hasattr(clone(model), "classes_")


def test_learns_the_training_data(contacts: pd.DataFrame) -> None:
    model = TfidfClassifier().fit(contacts.text, contacts.intent)
    assert (model.predict(contacts.text) == contacts.intent.to_numpy()).mean() > 0.95


def test_vocabulary_has_words_not_bigrams(contacts: pd.DataFrame) -> None:
    vocabulary = TfidfClassifier().fit(contacts.text, contacts.intent).vocabulary()
    assert "pothole" in vocabulary and all(" " not in word for word in vocabulary)


def test_rejects_a_bare_string_and_non_text(contacts: pd.DataFrame) -> None:
    model = TfidfClassifier().fit(contacts.text, contacts.intent)
    with pytest.raises(DataError, match="one string"):
        model.predict("my bin")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="must be strings"):
        model.predict(["ok", 3])  # type: ignore[list-item]


def test_unknown_model_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownModelTypeError, match="Choose one of: " + ", ".join(sorted(MODEL_TYPES))):
        make_classifier("gpt-7")
