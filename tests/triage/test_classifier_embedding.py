"""The embedding and ensemble classifiers, their shared encoder and its cache.

Fast tests inject a small deterministic encoder (a test double); tests marked ``slow`` use the real
all-MiniLM-L6-v2 weights from the local package.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from triage.classifiers import DEFAULT_MODEL_TYPE, MODEL_TYPES, make_classifier
from triage.classifiers.embedding import EmbeddingClassifier
from triage.classifiers.encoder import EmbeddingCache, SentenceEncoder
from triage.classifiers.ensemble import EnsembleClassifier
from triage.errors import DataError


class HashingEncoder:
    """A stand-in for MiniLM: each word hashed into one of 256 dimensions, rows of unit length."""

    dim = 256

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __sklearn_clone__(self) -> HashingEncoder:
        return self

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        return out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)


BIN_TEXT = "my green bin was not collected on monday"


@pytest.mark.parametrize("factory", [EmbeddingClassifier, EnsembleClassifier])
def test_follows_the_estimator_contract(factory, contacts: pd.DataFrame) -> None:
    encoder = HashingEncoder()
    model = factory(encoder=encoder)
    assert model.get_params()["encoder"] is encoder
    for method in (model.predict, model.predict_proba, model.embed):
        with pytest.raises(NotFittedError):
            method([BIN_TEXT])
    assert model.fit(contacts.text, contacts.intent) is model
    assert set(model.classes_) == set(contacts.intent)
    proba = model.predict_proba([BIN_TEXT, "pothole on mill lane"])
    assert proba.shape == (2, len(model.classes_)) and np.allclose(proba.sum(axis=1), 1.0)
    assert list(model.predict([BIN_TEXT, "pothole on mill lane"])) == ["missed_bin_collection", "pothole_report"]
    fresh = clone(model)
    assert not hasattr(fresh, "classes_")
    assert fresh.get_params()["encoder"] is encoder  # the frozen encoder (and its cache) is shared by clones


def test_ensemble_combines_both_members(contacts: pd.DataFrame) -> None:
    encoder = HashingEncoder()
    model = EnsembleClassifier(encoder=encoder, tfidf_weight=0.4).fit(contacts.text, contacts.intent)
    texts = [BIN_TEXT, "black mould in the bathroom"]
    embedding = model.embedding_.predict_proba(texts)
    tfidf = model.tfidf_.predict_proba(texts)
    geometric = np.exp(0.6 * np.log(embedding) + 0.4 * np.log(tfidf))
    assert np.allclose(model.predict_proba(texts), geometric / geometric.sum(axis=1, keepdims=True))
    mean = model.set_params(combine="mean").combine_proba(embedding, tfidf)
    assert np.allclose(mean, 0.6 * embedding + 0.4 * tfidf)
    assert model.embedding_.encoder_ is encoder  # one encoder for the member and for embed()
    assert np.allclose(model.embed(texts), encoder.encode(texts))


@pytest.mark.parametrize(("params", "message"), [({"combine": "median"}, "combine"), ({"tfidf_weight": 1.5}, "weight")])
def test_ensemble_refuses_bad_settings_at_fit(params: dict, message: str, contacts: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=message):
        EnsembleClassifier(encoder=HashingEncoder(), **params).fit(contacts.text, contacts.intent)


def test_every_registered_type_builds_unfitted_and_clones_without_loading_a_model() -> None:
    assert DEFAULT_MODEL_TYPE in MODEL_TYPES
    assert {"tfidf", "embedding", "ensemble", "finetune"} <= set(MODEL_TYPES)
    for name in MODEL_TYPES:
        model = make_classifier(name)
        assert not hasattr(model, "classes_")
        assert clone(model).get_params().keys() == model.get_params().keys()


def test_cache_computes_each_distinct_text_once() -> None:
    computed: list[str] = []

    def compute(texts: list[str]) -> np.ndarray:
        computed.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cache = EmbeddingCache(size=10)
    first = cache.get_many(["a", "bb", "a"], 2, compute)
    assert computed == ["a", "bb"]
    assert first[:, 0].tolist() == [1, 2, 1]
    second = cache.get_many(["bb", "ccc"], 2, compute)
    assert computed == ["a", "bb", "ccc"] and second[:, 0].tolist() == [2, 3]


def test_cache_forgets_the_least_recently_used() -> None:
    computed: list[str] = []

    def compute(texts: list[str]) -> np.ndarray:
        computed.extend(texts)
        return np.ones((len(texts), 1), dtype=np.float32)

    cache = EmbeddingCache(size=2)
    cache.get_many(["a", "b"], 1, compute)
    cache.get_many(["a"], 1, compute)  # "a" is now the most recent
    cache.get_many(["c"], 1, compute)  # evicts "b"
    cache.get_many(["a", "b"], 1, compute)
    assert computed == ["a", "b", "c", "b"] and len(cache) == 2


def test_encoder_pickles_without_weights_or_cache() -> None:
    encoder = SentenceEncoder(batch_size=8, max_length=32)
    encoder._cache.store([b"k"], np.ones((1, 384), dtype=np.float32))
    blob = pickle.dumps(encoder)
    assert len(blob) < 2_000
    restored = pickle.loads(blob)
    assert (restored.batch_size, restored.max_length) == (8, 32)
    assert len(restored._cache) == 0 and restored._model is None
    assert clone(encoder) is encoder


@pytest.mark.slow
def test_minilm_embeddings_match_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    from triage.classifiers.minilm import encoder_path

    texts = ["my bin was not collected", "how do I pay council tax?", "a much longer text " * 5]
    ours = SentenceEncoder().encode(texts)
    reference = SentenceTransformer(encoder_path(), device="cpu").encode(texts, normalize_embeddings=True)
    assert ours.shape == (3, 384)
    assert np.allclose(ours, reference, atol=1e-5)


@pytest.mark.slow
def test_fit_encodes_each_training_text_once(contacts: pd.DataFrame) -> None:
    """Fit, calibration, thresholds, out-of-scope set-up, evaluation and the refit share one encoding pass."""
    from training.fit import FitOptions, fit_model
    from triage.taxonomy import load_taxonomy

    result = fit_model(contacts, taxonomy=load_taxonomy(), options=FitOptions(model_type="ensemble"))
    model = result.model
    assert model.out_of_scope is not None and model.policy.out_of_scope_threshold is not None
    assert model.card.n_train == len(contacts)  # refitted on all rows
    assert model.classifier.encoder_.n_encoded == contacts.text.nunique()


@pytest.mark.slow
@pytest.mark.parametrize("model_type", ["embedding", "ensemble"])
def test_save_and_load_give_identical_probabilities(model_type: str, contacts: pd.DataFrame, tmp_path: Path) -> None:
    from training.fit import FitOptions, fit_model
    from triage.model import TriageModel
    from triage.taxonomy import load_taxonomy

    model = fit_model(contacts, taxonomy=load_taxonomy(), options=FitOptions(model_type=model_type)).model
    texts = [BIN_TEXT, "is the swimming pool open on sunday", "damp in the kitchen"]
    before = model.predict_proba(texts)
    loaded = TriageModel.load(model.save(tmp_path / "model"))
    assert loaded.classifier.encoder_ is not model.classifier.encoder_
    after = loaded.predict_proba(texts)
    # Equal up to float rounding: torch's CPU kernels may round the last bits differently once an encoder
    # instance has run many batches, so a fresh encoder and a well-used one can differ by ~1e-7.
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-6)
    assert (after.argmax(axis=1) == before.argmax(axis=1)).all()
    np.testing.assert_allclose(loaded.in_scope_scores(texts, before), model.in_scope_scores(texts, before), atol=1e-6)
    assert [d.rule for d in loaded.decide(texts)] == [d.rule for d in model.decide(texts)]
    assert (tmp_path / "model" / "estimators.joblib").stat().st_size < 5_000_000  # no weights inside
