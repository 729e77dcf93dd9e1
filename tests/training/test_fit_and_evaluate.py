from __future__ import annotations

import pandas as pd
import pytest

from triage.taxonomy import load_taxonomy
from training.evaluate import evaluate_model
from training.fit import FitOptions, SmallDataWarning, fit_model


def test_fitted_model_is_calibrated_tuned_and_keeps_a_redacted_reference(fitted_model) -> None:
    assert fitted_model.calibrator is not None and fitted_model.card.temperature is not None
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
    assert result.report is None
