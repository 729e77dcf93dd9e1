from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.evaluate import evaluate_model
from training.fit import FitOptions, SmallDataWarning, fit_model
from triage.taxonomy import load_taxonomy


def test_fitted_model_is_calibrated_tuned_and_keeps_a_redacted_reference(fitted_model) -> None:
    assert fitted_model.calibrator is not None and fitted_model.card.calibration in {"temperature", "isotonic"}
    assert (fitted_model.card.temperature is not None) == (fitted_model.card.calibration == "temperature")
    assert "calibration_ece_cross_fitted" in fitted_model.card.validation_metrics
    assert fitted_model.policy.threshold_source in {"tuned", "default"}
    assert fitted_model.policy.target_precision == 0.9
    reference = fitted_model.reference
    assert reference is not None
    assert {"text", "label", "intent", "confidence", "accepted", "route", "channel"} <= set(reference.columns)
    assert "pothole" in fitted_model.vocabulary


def test_evaluation_report_has_the_contract_keys(fitted_model, contacts: pd.DataFrame) -> None:
    report, matrix = evaluate_model(fitted_model, contacts)
    for key in ("n", "accuracy", "macro_f1", "baseline_accuracy", "coverage_at_precision", "routing", "per_intent"):
        assert key in report
    assert report["calibration"]["method"] == fitted_model.card.calibration
    assert sum(b["n"] for b in report["calibration"]["reliability"]) == len(contacts)
    assert report["coverage_curve"][-1]["coverage"] == 1.0
    assert report["coverage_curve"][-1]["precision"] == pytest.approx(report["accuracy"])
    assert report["thresholds"]["out_of_scope_threshold"] == fitted_model.policy.out_of_scope_threshold
    for intent, values in report["per_intent"].items():
        assert values["threshold"] == fitted_model.policy.threshold_for(intent)
        assert 0 <= values["accepted"] <= values["support"] + len(contacts)
    assert set(report["coverage_at_precision"]) == {"0.95", "0.98", "0.99"}
    assert set(report["routing"]) >= {"self_service_correct", "self_service_wrong", "human"}
    assert sum(report["routing"].values()) == len(contacts)
    assert report["accuracy"] > report["baseline_accuracy"]
    assert "out_of_scope" not in report
    assert set(report["slices"]["channel"]) == set(contacts.channel)
    assert matrix.to_numpy().sum() == len(contacts)


def test_unseen_labels_are_scored_as_out_of_scope(fitted_model, contacts: pd.DataFrame) -> None:
    unseen = pd.DataFrame(
        {"text": ["what is the meaning of life", "recipe for a victoria sponge"], "intent": ["chit_chat", "cooking"]}
    )
    report, _ = evaluate_model(fitted_model, pd.concat([contacts.head(50), unseen], ignore_index=True))
    assert report["out_of_scope"]["n"] == 2
    assert 0.0 <= report["out_of_scope"]["recall"] <= 1.0
    assert report["n_in_scope"] == 50


def test_tiny_data_falls_back_to_defaults_and_says_so(contacts: pd.DataFrame) -> None:
    tiny = contacts.groupby("intent").head(4)
    with pytest.warns(SmallDataWarning, match="default threshold"):
        result = fit_model(tiny, taxonomy=load_taxonomy(), options=FitOptions())
    assert result.model.calibrator is None and result.model.policy.threshold_source == "default"
    assert result.model.out_of_scope is None and result.model.policy.out_of_scope_threshold is None
    assert result.model.policy.intent_thresholds == {}
    assert result.report is None


def test_out_of_scope_threshold_lets_the_stated_share_of_good_acceptances_through(contacts: pd.DataFrame) -> None:
    options = FitOptions(refit_on_all=False, in_scope_pass_rate=0.9, target_precision=0.9)
    result = fit_model(contacts, taxonomy=load_taxonomy(), options=options)
    model, held_out = result.model, result.held_out
    texts = held_out.text.tolist()
    proba = model.predict_proba(texts)
    scores = model.in_scope_scores(texts, proba)
    threshold = model.policy.out_of_scope_threshold
    assert threshold is not None and 0.0 < threshold < 1.0
    no_gate = model.policy.model_copy(update={"out_of_scope_threshold": None})
    decisions = model.decide_from_proba(texts, proba, policy=no_gate)
    good = np.array([d.accepted and d.intent == label for d, label in zip(decisions, held_out.intent, strict=True)])
    assert good.sum() >= 30
    passing = (scores[good] >= threshold).mean()
    assert 0.9 <= passing < 1.0  # the lowest-scoring tenth (at most) of good acceptances is given up


def test_refit_keeps_the_held_out_measurements(contacts: pd.DataFrame) -> None:
    refitted = fit_model(contacts, taxonomy=load_taxonomy(), options=FitOptions()).model
    kept = fit_model(contacts, taxonomy=load_taxonomy(), options=FitOptions(refit_on_all=False)).model
    assert refitted.card.n_train == len(contacts) > kept.card.n_train
    assert refitted.policy == kept.policy  # thresholds come from the held-out rows either way
    assert refitted.out_of_scope is not None and refitted.out_of_scope.n_reference_ == kept.card.n_train


def test_rows_labelled_out_of_scope_tune_the_check_and_are_never_an_intent(contacts: pd.DataFrame) -> None:
    """Public out-of-scope benchmarks label such rows ``oos``: they must not become an intent the model accepts."""
    unrelated = [
        f"{q} {topic}"
        for q in ("what is", "tell me about", "how do i learn", "who invented", "recommend a")
        for topic in ("chess openings", "the moon landing", "french cooking", "jazz piano", "volcanoes", "origami")
    ]
    frame = pd.concat([contacts, pd.DataFrame({"text": unrelated, "intent": "OOS"})], ignore_index=True)
    result = fit_model(frame, taxonomy=load_taxonomy(), options=FitOptions())
    model = result.model
    assert "OOS" not in set(model.classes) and "OOS" not in model.card.label_counts
    assert model.card.n_out_of_scope_examples == len(unrelated)
    assert model.out_of_scope is not None and model.policy.out_of_scope_threshold is not None
    out_of_scope = result.report["out_of_scope"]  # the examples are scored in the held-out report
    assert out_of_scope["n"] == len(unrelated) and out_of_scope["recall"] >= 0.9
    report, _ = evaluate_model(model, frame.tail(10))
    assert report["out_of_scope"]["n"] == 10  # and in any evaluation, as labels the model was not trained on


def test_held_out_ece_is_the_cross_fitted_one(fitted_model) -> None:
    metrics = fitted_model.card.validation_metrics
    assert metrics["ece"] == metrics["calibration_ece_cross_fitted"][fitted_model.card.calibration]


def test_data_with_only_out_of_scope_rows_is_evaluated_without_in_scope_figures(fitted_model, tmp_path) -> None:
    from training.plots import save_evaluation_figures

    frame = pd.DataFrame({"text": ["what is jazz", "who won the cup last night"], "intent": ["oos", "oos"]})
    report, matrix = evaluate_model(fitted_model, frame)
    assert report["accuracy"] is None and report["out_of_scope"]["n"] == 2
    assert report["out_of_scope"]["in_scope_accuracy"] is None
    assert [p.name for p in save_evaluation_figures(report, matrix, tmp_path)] == ["coverage.png"]


def test_training_data_of_only_out_of_scope_rows_is_refused_with_the_fix() -> None:
    from triage.errors import DataError

    frame = pd.DataFrame({"text": ["what is jazz", "who won the cup"], "intent": ["oos", "oos"]})
    with pytest.raises(DataError, match="Every training row is labelled as out-of-scope"):
        fit_model(frame, taxonomy=load_taxonomy(), options=FitOptions())


def test_out_of_scope_examples_choose_the_signal_that_keeps_them_out() -> None:
    """Whichever signal separates the labelled out-of-scope examples from in-scope contacts gets the weight."""
    from training.fit import _best_signal_weights
    from triage.classifiers.out_of_scope import OutOfScopeScorer

    rng = np.random.default_rng(0)
    in_scope = [rng.uniform(0.0, 1.0, 400) for _ in range(3)]
    overlapping = rng.uniform(0.0, 1.0, 100)
    for informative, expected in ((2, {"confidence_weight": 0.0, "centroid_weight": 1.0}), (0, None)):
        out_of_scope = [overlapping.copy() for _ in range(3)]
        out_of_scope[informative] = rng.uniform(0.0, 0.01, 100)  # below almost every in-scope contact
        weights = _best_signal_weights(OutOfScopeScorer(), tuple(in_scope), tuple(out_of_scope), 0.98)
        if expected is not None:
            assert weights == expected
        else:
            assert weights["confidence_weight"] == 1.0 and weights["centroid_weight"] == 0.0
