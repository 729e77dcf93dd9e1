from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from monitoring.drift import (
    ColumnDrift,
    DriftOptions,
    DriftReportError,
    DriftSummary,
    decide_drift,
    load_summary,
    parse_results,
    run_drift_report,
)
from monitoring.frames import align, from_decisions, reference_frame
from triage.errors import ConfigError, DataError
from triage.model import TriageModel


@pytest.fixture(scope="module")
def reference(drift_model: TriageModel) -> pd.DataFrame:
    return reference_frame(drift_model)


def _report(
    model: TriageModel, reference: pd.DataFrame, current: pd.DataFrame, out_dir: Path, **kwargs
) -> DriftSummary:
    ref, cur = align(reference, from_decisions(current, source="test"), vocabulary=model.vocabulary)
    return run_drift_report(ref, cur, out_dir=out_dir, **kwargs)


@pytest.fixture(scope="module")
def new_vocabulary_summary(drift_model, reference, kit, tmp_path_factory) -> DriftSummary:
    """Half the current contacts are about a scheme the model never saw."""
    current = pd.concat([kit.novel(150, seed=5), kit.texts(kit.balanced(25), seed=6)], ignore_index=True)
    return _report(
        drift_model, reference, kit.scored(drift_model, current), tmp_path_factory.mktemp("vocab") / "report"
    )


@pytest.fixture(scope="module")
def new_intent_mix_summary(drift_model, reference, kit, tmp_path_factory) -> DriftSummary:
    """The same kind of texts, but most contacts are now about missed bins."""
    current = kit.texts({**kit.balanced(10), "missed_bin_collection": 250}, seed=4)
    return _report(drift_model, reference, kit.scored(drift_model, current), tmp_path_factory.mktemp("mix") / "report")


def test_identical_distributions_find_no_drift(drift_model, reference, tmp_path) -> None:
    current = reference.sample(frac=1.0, random_state=0)
    summary = _report(drift_model, reference, current, tmp_path / "report")
    assert summary.drift_detected is False
    assert summary.drifted_columns == [] and summary.notes == []
    assert summary.n_reference == summary.n_current == len(reference)
    expected = {
        "intent",
        "accepted",
        "route",
        "queue",
        "channel",
        "confidence",
        "text_length",
        "word_count",
        "oov_rate",
    }
    assert expected | {"sentence_count", "non_letter_share"} == set(summary.columns)


def test_a_fresh_sample_of_the_same_contacts_finds_no_drift(drift_model, reference, kit, tmp_path) -> None:
    current = kit.scored(drift_model, kit.texts(kit.balanced(50), seed=3))
    summary = _report(drift_model, reference, current, tmp_path / "report")
    assert summary.drift_detected is False
    assert not summary.columns["oov_rate"].drifted
    assert not summary.columns["intent"].drifted


def test_new_vocabulary_is_found_in_the_oov_rate(new_vocabulary_summary: DriftSummary) -> None:
    summary = new_vocabulary_summary
    assert summary.drift_detected is True
    assert "oov_rate" in summary.drifted_columns
    oov = summary.columns["oov_rate"]
    assert oov.drifted and oov.score is not None and oov.score < oov.threshold  # a p-value at this sample size
    assert any("words the model never saw" in reason for reason in summary.reasons)
    assert any("Every reference row has oov_rate 0" in note for note in summary.notes)  # the caveat is stated


def test_a_new_intent_mix_is_found_in_intent_but_not_in_vocabulary(new_intent_mix_summary: DriftSummary) -> None:
    summary = new_intent_mix_summary
    assert summary.drift_detected is True
    assert summary.columns["intent"].drifted
    assert not summary.columns["oov_rate"].drifted
    assert any(reason.startswith("Key column intent drifted") for reason in summary.reasons)


def test_report_files_are_written_and_readable(new_vocabulary_summary: DriftSummary) -> None:
    summary = new_vocabulary_summary
    out_dir = Path(summary.out_dir)
    assert sorted(p.name for p in out_dir.iterdir()) == ["drift.html", "drift.json", "summary.json"]
    page = Path(summary.html_path).read_text(encoding="utf-8")
    assert len(page) > 100_000  # Evidently's self-contained page with its plots
    assert f"<title>{summary.title}</title>" in page and "Drift detected" in page
    results = json.loads(Path(summary.json_path).read_text(encoding="utf-8"))
    assert len(results["metrics"]) == len(summary.columns) + 1  # one per column + the drifted-columns count
    assert load_summary(summary.summary_path) == summary
    assert [p.name for p in out_dir.parent.iterdir()] == ["report"]  # no staging folder left behind


def test_a_failed_run_leaves_nothing_behind(drift_model, reference, tmp_path, monkeypatch) -> None:
    def broken(*_args, **_kwargs) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("monitoring.drift._add_banner", broken)
    with pytest.raises(OSError, match="disk full"):
        _report(drift_model, reference, reference, tmp_path / "report")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_report_folder_is_not_overwritten(drift_model, reference, tmp_path) -> None:
    out_dir = tmp_path / "report"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="already exists"):
        _report(drift_model, reference, reference, out_dir)
    assert [p.name for p in out_dir.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("n_current", [0, 5])
def test_too_few_rows_are_refused_with_the_number_needed(drift_model, reference, tmp_path, n_current) -> None:
    with pytest.raises(DataError, match=rf"current data has {n_current} row\(s\); .* at least 30"):
        _report(drift_model, reference, reference.head(n_current), tmp_path / "report")
    assert not (tmp_path / "report").exists()


def test_frames_with_different_columns_are_refused(drift_model, reference, tmp_path) -> None:
    ref, cur = align(reference, reference, vocabulary=drift_model.vocabulary)
    with pytest.raises(DataError, match="different columns"):
        run_drift_report(ref, cur.drop(columns=["channel"]), out_dir=tmp_path / "report")


def _verdicts(**drifted: bool) -> dict[str, ColumnDrift]:
    return {
        c: ColumnDrift(stat_test="K-S p_value", score=0.01 if d else 0.5, threshold=0.05, drifted=d)
        for c, d in drifted.items()
    }


@pytest.mark.parametrize(
    ("drifted", "dataset_drift", "expected"),
    [
        ({"intent": False, "oov_rate": False, "confidence": True}, False, False),
        ({"intent": False, "oov_rate": True, "confidence": False}, False, True),  # a key column alone
        ({"intent": True, "oov_rate": False, "confidence": False}, False, True),
        ({"intent": False, "oov_rate": False, "confidence": True}, True, True),  # Evidently's share test failed
    ],
)
def test_drift_rule(drifted, dataset_drift, expected) -> None:
    per_column = _verdicts(**drifted)
    share = sum(drifted.values()) / len(drifted)
    detected, reasons = decide_drift(
        per_column, dataset_drift=dataset_drift, drifted_share=share, options=DriftOptions()
    )
    assert detected is expected
    assert reasons[0].startswith(f"{sum(drifted.values())} of 3 columns drifted")


def test_key_columns_are_configurable() -> None:
    per_column = _verdicts(intent=True, oov_rate=False, confidence=False)
    detected, _ = decide_drift(
        per_column, dataset_drift=False, drifted_share=1 / 3, options=DriftOptions(key_columns=())
    )
    assert detected is False


def test_results_without_test_verdicts_are_refused() -> None:
    results = {
        "metrics": [
            {
                "id": "m1",
                "config": {
                    "type": "evidently:metric_v2:ValueDrift",
                    "column": "intent",
                    "method": "chi-square p_value",
                    "threshold": 0.05,
                },
                "value": 0.5,
            }
        ],
        "tests": [],
    }
    with pytest.raises(DriftReportError, match="no test result for column 'intent'"):
        parse_results(results)
