"""Out-of-scope detection: the scorer, the policy rule it feeds, and the behaviour on unseen topics."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError

from triage.classifiers.out_of_scope import OutOfScopeScorer
from triage.errors import DataError
from triage.policy import PolicyConfig, RoutingPolicy
from triage.taxonomy import load_taxonomy

UNSEEN = [
    "what is the capital of france",
    "recipe for a victoria sponge cake",
    "who won the football last night",
    "can you recommend a good film to watch",
    "how many moons does jupiter have",
    "translate good morning into spanish",
]


def clusters(n: int, seed: int, centres: np.ndarray, spread: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(centres), n)
    return centres[labels] + spread * rng.normal(size=(n, centres.shape[1])), labels


def one_hot(labels: np.ndarray, n_classes: int, confidence: float | np.ndarray) -> np.ndarray:
    """Probabilities with ``confidence`` on ``labels`` and the rest spread evenly."""
    confidence = np.broadcast_to(np.asarray(confidence, dtype=float), labels.shape)
    proba = np.repeat(((1 - confidence) / (n_classes - 1))[:, None], n_classes, axis=1)
    proba[np.arange(len(labels)), labels] = confidence
    return proba


def test_far_points_score_lower_than_points_like_the_training_data() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16))
    train, train_labels = clusters(400, 1, centres)
    held_out, held_labels = clusters(200, 2, centres)
    near, near_labels = clusters(100, 3, centres)
    far = rng.normal(size=(100, 16)) * 2
    scorer = OutOfScopeScorer(n_neighbors=5).fit(
        train, train_labels, held_out=held_out, held_out_proba=one_hot(held_labels, 4, rng.uniform(0.5, 1.0, 200))
    )
    near_scores = scorer.score(near, one_hot(near_labels, 4, 0.9))
    far_scores = scorer.score(far, one_hot(rng.integers(0, 4, 100), 4, 0.9))
    assert near_scores.min() >= 0.0 and far_scores.max() <= 1.0
    assert np.median(near_scores) - np.median(far_scores) > 0.2
    assert (far_scores < np.quantile(near_scores, 0.05)).mean() > 0.9
    # Confidence counts too: the same texts with lower confidence score lower.
    assert (scorer.score(near, one_hot(near_labels, 4, 0.3)) < near_scores).all()


def test_similarity_counts_only_training_contacts_of_the_assigned_intent() -> None:
    """A contact next to intent 0's examples but assigned intent 1 is not "like" intent 1's training data."""
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(2, 16)) * 3
    train, labels = clusters(200, 2, centres)
    held_out, held_labels = clusters(50, 3, centres)
    scorer = OutOfScopeScorer(n_neighbors=3).fit(
        train, labels, held_out=held_out, held_out_proba=one_hot(held_labels, 2, 0.9)
    )
    near_zero, _ = clusters(20, 4, centres[:1])
    as_zero = scorer.similarity(near_zero, np.zeros(20, dtype=int))
    as_one = scorer.similarity(near_zero, np.ones(20, dtype=int))
    assert (as_zero > 0.9).all() and (as_one < as_zero - 0.5).all()


def test_sparse_and_dense_embeddings_give_the_same_similarity() -> None:
    rng = np.random.default_rng(4)
    dense = np.abs(rng.normal(size=(50, 30))) * (rng.random((50, 30)) < 0.3)
    dense[:, 0] += 0.1  # no empty rows
    labels, proba = np.arange(40) % 2, one_hot(np.arange(10) % 2, 2, 0.8)
    scorer_dense = OutOfScopeScorer(n_neighbors=3).fit(dense[:40], labels, held_out=dense[40:], held_out_proba=proba)
    scorer_sparse = OutOfScopeScorer(n_neighbors=3).fit(
        sparse.csr_matrix(dense[:40]), labels, held_out=sparse.csr_matrix(dense[40:]), held_out_proba=proba
    )
    predicted = np.arange(10) % 2
    assert np.allclose(
        scorer_dense.similarity(dense[40:], predicted),
        scorer_sparse.similarity(sparse.csr_matrix(dense[40:]), predicted),
    )


def test_scorer_contract() -> None:
    scorer = OutOfScopeScorer(n_neighbors=50, max_reference=30)
    with pytest.raises(NotFittedError):
        scorer.similarity(np.ones((1, 3)), np.zeros(1, dtype=int))
    data = np.random.default_rng(5).normal(size=(100, 3))
    labels = np.arange(100) % 3
    with pytest.raises(DataError, match="100 reference embeddings but 99 labels"):
        scorer.fit(data, labels[:99], held_out=data[:10], held_out_proba=one_hot(labels[:10], 3, 0.9))
    scorer.fit(data, labels, held_out=data[:10], held_out_proba=one_hot(labels[:10], 3, 0.9))
    assert scorer.n_reference_ == 30 and scorer.reference_t_.shape == (3, 30)  # subsampled
    similarity = scorer.similarity(data[:5], labels[:5])  # fewer contacts per intent than neighbours: all of them
    assert similarity.shape == (5,) and np.isfinite(similarity).all()


CLASSES = np.array(["council_tax_payment", "damp_and_mould", "missed_bin_collection"])


def decide(in_scope: float | None, threshold: float | None):
    policy = RoutingPolicy(
        taxonomy=load_taxonomy(), config=PolicyConfig(acceptance_threshold=0.5, out_of_scope_threshold=threshold)
    )
    return policy.decide(
        "my bin was not collected", CLASSES, np.array([0.02, 0.03, 0.95]), decision_id="d", model_version="m"
    ), policy.decide(
        "my bin was not collected",
        CLASSES,
        np.array([0.02, 0.03, 0.95]),
        decision_id="d",
        model_version="m",
        in_scope=in_scope,
    )


def test_policy_never_accepts_an_out_of_scope_contact() -> None:
    _, low = decide(0.05, 0.1)
    assert not low.accepted and low.rule == "out_of_scope" and low.route == "human"
    assert "does not look like any intent" in low.reasons[0]
    _, high = decide(0.5, 0.1)
    assert high.accepted and high.rule == "accepted"
    without_score, no_score = decide(None, 0.1)
    assert no_score.accepted and without_score.accepted  # a model without a scorer is not blocked
    _, no_threshold = decide(0.0, None)
    assert no_threshold.accepted


def test_policy_version_is_unchanged_for_policies_without_the_setting() -> None:
    old = PolicyConfig(acceptance_threshold=0.7, intent_thresholds={"a": 0.9})
    stored = {k: v for k, v in old.model_dump(mode="json").items() if k != "out_of_scope_threshold"}
    payload = json.dumps(stored, sort_keys=True, default=sorted).encode()
    assert old.version == f"p1-{hashlib.sha256(payload).hexdigest()[:10]}"  # the formula before the setting existed
    assert PolicyConfig.model_validate_json(json.dumps(stored)).version == old.version
    assert old.model_copy(update={"out_of_scope_threshold": 0.1}).version != old.version


def test_tfidf_model_scores_unseen_topics_below_seen_ones(fitted_model, contacts: pd.DataFrame) -> None:
    """The TF-IDF model's scorer works on TF-IDF vectors: unseen topics share few character n-grams."""
    seen = contacts.text.head(60).tolist()
    seen_scores = fitted_model.in_scope_scores(seen, fitted_model.predict_proba(seen))
    unseen_scores = fitted_model.in_scope_scores(UNSEEN, fitted_model.predict_proba(UNSEEN))
    assert unseen_scores.max() < np.quantile(seen_scores, 0.1)
    assert all(d.rule == "out_of_scope" for d in fitted_model.decide(UNSEEN))


def test_scorer_and_threshold_survive_save_and_load(fitted_model, tmp_path: Path) -> None:
    from triage.model import TriageModel

    loaded = TriageModel.load(fitted_model.save(tmp_path / "model"))
    assert loaded.policy.out_of_scope_threshold == fitted_model.policy.out_of_scope_threshold is not None
    texts = [*UNSEEN, "my green bin was not collected on monday"]
    proba = fitted_model.predict_proba(texts)
    assert np.array_equal(loaded.in_scope_scores(texts, proba), fitted_model.in_scope_scores(texts, proba))


@pytest.mark.slow
def test_minilm_scorer_separates_unseen_topics_from_seen_ones(contacts: pd.DataFrame) -> None:
    from tests.conftest import make_contacts
    from training.fit import FitOptions, fit_model
    from triage.taxonomy import load_taxonomy

    model = fit_model(contacts, taxonomy=load_taxonomy(), options=FitOptions(model_type="embedding")).model
    seen_texts = make_contacts(per_intent=10, seed=5).text.tolist()  # new contacts about the trained intents
    seen = model.in_scope_scores(seen_texts, model.predict_proba(seen_texts))
    unseen = model.in_scope_scores(UNSEEN, model.predict_proba(UNSEEN))
    assert unseen.max() < np.quantile(seen, 0.1)
    assert all(d.rule == "out_of_scope" for d in model.decide(UNSEEN))
    assert np.mean([d.rule != "out_of_scope" for d in model.decide(seen_texts)]) > 0.9


@pytest.mark.parametrize("stored_as", ["reference_t_", "reference_"])
def test_a_scorer_saved_before_per_intent_similarity_still_scores_as_it_was_fitted(stored_as: str) -> None:
    """Models registered by earlier versions keep their behaviour: neighbours from all training contacts."""
    import pickle

    rng = np.random.default_rng(6)
    train, labels = clusters(60, 7, rng.normal(size=(3, 8)))
    scorer = OutOfScopeScorer(n_neighbors=4).fit(
        train, labels, held_out=train[:10], held_out_proba=one_hot(labels[:10], 3, 0.9)
    )
    state = scorer.__getstate__()
    for newer in ("block_starts_", "centroids_", "centroid_reference_", "centroid_weight"):
        del state[newer]
    state["n_neighbors_"] = 4  # what earlier versions stored
    if stored_as == "reference_":
        state["reference_"] = state.pop("reference_t_").T
    old = pickle.loads(pickle.dumps(scorer))
    old.__dict__.clear()
    old.__setstate__(state)
    queries = rng.normal(size=(5, 8))
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    expected = np.sort(unit(queries) @ unit(train).T, axis=1)[:, -4:].mean(axis=1)
    assert np.allclose(old.similarity(queries, np.array([0, 1, 2, 0, 1])), expected, atol=1e-5)
    assert old.score(queries, one_hot(np.array([0, 1, 2, 0, 1]), 3, 0.9)).shape == (5,)
    # Fitted before the centroid signal existed: it never weighs it, whatever the state holds.
    assert old.centroid_weight == 0.0 and not old.centroid_similarity(queries, np.zeros(5, dtype=int)).any()


def test_centroid_similarity_is_cosine_to_the_assigned_intents_centre_dense_or_sparse() -> None:
    rng = np.random.default_rng(8)
    dense = np.abs(rng.normal(size=(60, 12))) * (rng.random((60, 12)) < 0.5)
    dense[:, 0] += 0.1
    labels = np.arange(48) % 3
    proba = one_hot(np.arange(12) % 3, 3, 0.8)
    scorer = OutOfScopeScorer().fit(dense[:48], labels, held_out=dense[48:], held_out_proba=proba)
    as_sparse = OutOfScopeScorer().fit(
        sparse.csr_matrix(dense[:48]), labels, held_out=sparse.csr_matrix(dense[48:]), held_out_proba=proba
    )
    unit = dense[:48] / np.linalg.norm(dense[:48], axis=1, keepdims=True)
    centre = unit[labels == 1].mean(axis=0)
    query = dense[48:52]
    expected = (query / np.linalg.norm(query, axis=1, keepdims=True)) @ (centre / np.linalg.norm(centre))
    ones = np.ones(4, dtype=int)
    assert np.allclose(scorer.centroid_similarity(query, ones), expected, atol=1e-5)
    assert np.allclose(as_sparse.centroid_similarity(sparse.csr_matrix(query), ones), expected, atol=1e-5)
    assert sparse.issparse(as_sparse.centroids_)  # a large vocabulary is not stored densely


def test_signal_weights_are_checked() -> None:
    data = np.random.default_rng(9).normal(size=(30, 4))
    labels = np.arange(30) % 2
    with pytest.raises(DataError, match="at most 1"):
        OutOfScopeScorer(confidence_weight=0.6, centroid_weight=0.6).fit(
            data, labels, held_out=data[:10], held_out_proba=one_hot(labels[:10], 2, 0.9)
        )
    with pytest.raises(DataError, match="centroid_weight must be between 0 and 1"):
        OutOfScopeScorer(confidence_weight=0.0, centroid_weight=-0.1).fit(
            data, labels, held_out=data[:10], held_out_proba=one_hot(labels[:10], 2, 0.9)
        )


def test_centroid_weight_moves_the_score_towards_the_centroid_signal() -> None:
    rng = np.random.default_rng(10)
    train, labels = clusters(120, 11, rng.normal(size=(3, 8)))
    held_out, held_labels = clusters(40, 12, rng.normal(size=(3, 8)))
    scorer = OutOfScopeScorer(confidence_weight=0.0, centroid_weight=1.0).fit(
        train, labels, held_out=held_out, held_out_proba=one_hot(held_labels, 3, 0.9)
    )
    queries, proba = train[:7], one_hot(labels[:7], 3, 0.9)
    _, _, centroid = scorer.signals(queries, proba)
    assert np.allclose(scorer.score(queries, proba), centroid)
