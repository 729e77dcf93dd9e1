"""The walking skeleton end to end: generate, train, promote, serve, route, read the log, drift report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from triage.cli import app

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_generate_train_promote_serve_route_monitor(
    tmp_path: Path, mlflow_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path}/decisions.db"
    monkeypatch.setenv("TRIAGE_DB_URL", db_url)
    monkeypatch.setenv("TRIAGE_MODEL_URI", "models:/e2e@champion")
    data = tmp_path / "contacts.csv"

    invoke("synth", "generate", "--n", "3000", "--seed", "3", "--out", str(data), "--split")
    train_path, test_path = tmp_path / "contacts_train.csv", tmp_path / "contacts_test.csv"
    assert train_path.is_file() and test_path.is_file()

    trained = json.loads(invoke("train", "--data", str(train_path), "--name", "e2e"))
    assert trained["version"] == "1" and trained["alias"] == "challenger"

    report_path = tmp_path / "eval.json"
    report = json.loads(
        invoke(
            "evaluate", "--data", str(test_path), "--model-uri", "models:/e2e@challenger", "--output", str(report_path)
        )
    )
    assert report["accuracy"] > report["baseline_accuracy"]
    assert json.loads(report_path.read_text())["n"] == report["n"]

    promoted = json.loads(invoke("promote", "--name", "e2e"))
    assert promoted["promoted"] and promoted["champion_version"] == "1"

    decision = json.loads(invoke("route", "My bin was not collected on Tuesday"))
    assert decision["intent"] == "missed_bin_collection" and decision["model_version"] == "e2e/1"

    from serve.app import create_app
    from serve.settings import ServeSettings

    with TestClient(create_app(ServeSettings(dev_mode=True))) as client:
        served = client.post("/v1/route", json={"text": "My bin was not collected on Tuesday"}).json()
        assert served["accepted"] and served["route"] == "self_service"
        assert served["intent"] == "missed_bin_collection" and served["answer"]["url"].startswith("https://")
        for row in pd.read_csv(test_path).text.head(60):
            assert client.post("/v1/route", json={"text": row}).status_code == 200

    from triage.decision_log import DecisionLog

    log = DecisionLog(db_url).read_decisions()
    assert len(log) == 61 and set(log.model_version) == {"e2e/1"}

    out_dir = tmp_path / "drift"
    summary = json.loads(invoke("monitor", "drift", "--out-dir", str(out_dir), "--since", "2000-01-01"))
    assert (out_dir / "drift.html").is_file() and (out_dir / "drift.json").is_file()
    assert summary["n_current"] == 61
