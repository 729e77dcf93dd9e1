"""`triage benchmark`, `triage evaluate --output` figures and the `triage train` defaults, through the CLI."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import make_contacts
from training.benchmark import format_table, run_benchmark
from training.cli import app, train_command
from triage.classifiers import DEFAULT_MODEL_TYPE

runner = CliRunner()


def write_split(tmp_path: Path) -> tuple[Path, Path]:
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    make_contacts(per_intent=40, seed=1).to_csv(train, index=False)
    make_contacts(per_intent=15, seed=2).to_csv(test, index=False)
    return train, test


def test_benchmark_measures_each_model_and_out_of_scope_on_held_out_intents(contacts: pd.DataFrame) -> None:
    test = make_contacts(per_intent=10, seed=3)
    result = run_benchmark(contacts, test, models=["tfidf"], holdout_intents=1, seed=0)
    assert len(result["setup"]["held_out_intents"]) == 1
    held_out = result["setup"]["held_out_intents"][0]
    assert result["setup"]["n_train"] == (contacts.intent != held_out).sum()
    (row,) = result["rows"]
    assert row["model"] == "tfidf" and row["accuracy"] > 0.9
    assert row["train_seconds"] > 0 and row["ms_single"] > 0 and row["ms_batched"] > 0
    oos = result["reports"]["tfidf"]["out_of_scope"]
    assert oos["n"] == (test.intent == held_out).sum()
    assert row["out_of_scope_recall"] == oos["recall"] and row["in_scope_accuracy"] == oos["in_scope_accuracy"]
    table = format_table(result)
    assert table.splitlines()[0].startswith("| model | accuracy | macro-F1 | coverage @0.98 precision | ECE |")
    assert "OOS not accepted" in table and "| tfidf |" in table


def test_benchmark_command_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    train, test = write_split(tmp_path)
    output = tmp_path / "bench.json"
    result = runner.invoke(
        app, ["benchmark", "--train", str(train), "--test", str(test), "--models", "tfidf", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "| tfidf |" in result.stdout
    saved = json.loads(output.read_text())
    assert [row["model"] for row in saved["rows"]] == ["tfidf"]
    assert {"accuracy", "macro_f1", "coverage_at_098", "ece", "train_seconds", "ms_single", "ms_batched"} <= set(
        saved["rows"][0]
    )


def test_benchmark_refuses_unknown_models_before_any_work(tmp_path: Path) -> None:
    train, test = write_split(tmp_path)
    result = runner.invoke(app, ["benchmark", "--train", str(train), "--test", str(test), "--models", "tfidf,gpt9"])
    assert result.exit_code == 2
    assert "Unknown model 'gpt9'" in result.output and "ensemble" in result.output


def test_evaluate_writes_the_report_and_its_figures_beside_the_output(fitted_model, tmp_path: Path) -> None:
    folder = fitted_model.save(tmp_path / "model")
    data = tmp_path / "eval.csv"
    make_contacts(per_intent=10, seed=4).to_csv(data, index=False)
    output = tmp_path / "reports" / "eval.json"
    result = runner.invoke(app, ["evaluate", "--data", str(data), "--model-uri", str(folder), "--output", str(output)])
    assert result.exit_code == 0, result.output
    report = json.loads(output.read_text())
    assert report["ece"] is not None and report["calibration"]["reliability"]
    for name in ("eval_reliability.png", "eval_coverage.png", "eval_confusion_matrix.png"):
        path = output.parent / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_train_defaults_to_the_best_benchmarked_model() -> None:
    assert inspect.signature(train_command).parameters["model"].default == DEFAULT_MODEL_TYPE == "ensemble"


@pytest.mark.slow
def test_train_logs_calibration_thresholds_and_figures_to_mlflow(mlflow_store: Path, tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    from training.registry import load_model
    from triage.config import get_core_settings

    train, _ = write_split(tmp_path)
    args = ["train", "--data", str(train), "--model", "tfidf", "--name", "bench-test", "--target-precision", "0.98"]
    result = runner.invoke(app, [*args, "--data-description", "hand-written test contacts"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    client = MlflowClient()
    artifacts = {a.path for a in client.list_artifacts(summary["run_id"], "evaluation")}
    assert {"evaluation/reliability.png", "evaluation/coverage.png", "evaluation/confusion_matrix.png"} <= artifacts
    run = client.get_run(summary["run_id"])
    assert "ece" in run.data.metrics and run.data.params["calibration"] in {"temperature", "isotonic"}
    assert float(run.data.params["target_precision"]) == 0.98
    assert run.data.tags["data_description"] == "hand-written test contacts"
    assert run.data.params["validation_data"] == "a stratified held-out split of the training data"
    segments = {k: v for k, v in run.data.metrics.items() if k.startswith("segment_")}
    assert {"segment_n/channel/web", "segment_accuracy/channel/web", "segment_gap/channel/web"} <= set(segments)
    gap = segments["segment_accuracy/channel/web"] - run.data.metrics["accuracy"]
    assert segments["segment_gap/channel/web"] == pytest.approx(gap)
    assert not any(k.startswith("safeguarding_") for k in run.data.metrics)  # no safeguarding labels in this data
    loaded = load_model(get_core_settings(), "models:/bench-test@challenger").model
    assert loaded.policy.target_precision == 0.98 and loaded.policy.out_of_scope_threshold is not None
    assert loaded.out_of_scope is not None
