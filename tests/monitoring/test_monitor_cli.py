from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from monitoring import cli
from triage.decision_log import DecisionLog, make_record
from triage.schemas import Contact

MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WINDOW = ["--since", "2026-02-23", "--until", "2026-03-03T00:00:00Z"]
EMAIL = "jane.doe@example.com"


@pytest.fixture
def use_model(monkeypatch, drift_model):
    """Inject a model through the CLI's loader seam (no MLflow); returns a setter for other models."""
    from training.registry import LoadedModel

    def use(model) -> None:
        monkeypatch.setattr(
            cli, "load_reference_model", lambda uri: LoadedModel(model=model, uri="test", version="test/1")
        )

    use(drift_model)
    return use


@pytest.fixture
def db_url(tmp_path, drift_model, kit) -> str:
    """A decision log holding 120 routed contacts from the model's own population, over one week."""
    url = f"sqlite:///{tmp_path}/decisions.db"
    texts = kit.texts(kit.balanced(20), seed=7)
    decisions = drift_model.decide(texts["text"].tolist(), model_version="test/1")
    records = [
        make_record(Contact(text=text, channel=channel), decision, now=MOMENT - timedelta(hours=i))
        for i, (text, channel, decision) in enumerate(zip(texts["text"], texts["channel"], decisions, strict=True))
    ]
    log = DecisionLog(url)
    log.write(records)
    log.close()
    return url


def invoke(*args: str):
    return CliRunner().invoke(cli.app, ["drift", *args])


def test_drift_over_the_decision_log_prints_the_summary_and_writes_the_report(use_model, db_url, tmp_path) -> None:
    out_dir = tmp_path / "reports" / "drift"
    result = invoke(*WINDOW, "--db-url", db_url, "--out-dir", str(out_dir))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["drift_detected"] is False
    assert summary["n_current"] == 120 and summary["n_reference"] == 300
    assert summary["context"]["model_version"] == "test/1"
    assert summary["context"]["current"].startswith("decision log 2026-02-23T00:00:00+00:00 to 2026-03-03")
    assert {p.name for p in out_dir.iterdir()} == {"drift.html", "drift.json", "summary.json"}
    assert json.loads((out_dir / "summary.json").read_text()) == summary


def test_drift_adds_its_snapshot_dated_by_the_window_to_the_dashboard(use_model, db_url, tmp_path) -> None:
    from monitoring.workspace import MonitoringWorkspace

    workspace = tmp_path / "ws"
    result = invoke(*WINDOW, "--db-url", db_url, "--out-dir", str(tmp_path / "r"), "--workspace", str(workspace))
    assert result.exit_code == 0, result.output
    (snapshot,) = MonitoringWorkspace(workspace).snapshots()
    assert snapshot.timestamp == datetime(2026, 2, 23) and snapshot.metadata["kind"] == "drift"
    assert invoke(*WINDOW, "--db-url", db_url, "--out-dir", str(tmp_path / "r2"), "--no-workspace").exit_code == 0
    assert len(MonitoringWorkspace(workspace).snapshots()) == 1


def test_a_current_file_of_new_contacts_is_routed_redacted_and_shows_drift(use_model, kit, tmp_path) -> None:
    current = kit.novel(120, seed=8).assign(text=lambda f: f["text"] + f" - reply to {EMAIL}")
    path = tmp_path / "new.csv"
    current[["text", "channel"]].to_csv(path, index=False)
    out_dir = tmp_path / "report"
    result = invoke("--current", str(path), "--out-dir", str(out_dir))
    assert result.exit_code == 0, result.output  # drift is reported, not an error
    summary = json.loads(result.stdout)
    assert summary["drift_detected"] is True and "oov_rate" in summary["drifted_columns"]
    for written in out_dir.iterdir():
        assert EMAIL not in written.read_text(encoding="utf-8")


def test_an_empty_window_says_how_to_fix_it(use_model, db_url, tmp_path) -> None:
    result = invoke(
        "--since", "2020-01-01", "--until", "2020-01-08", "--db-url", db_url, "--out-dir", str(tmp_path / "r")
    )
    assert result.exit_code == 2
    assert "No decisions between 2020-01-01T00:00:00+00:00 and 2020-01-08T00:00:00+00:00" in result.stderr
    assert f"in {db_url}; route some contacts or widen --since/--until" in result.stderr
    assert not (tmp_path / "r").exists()


def test_too_few_decisions_says_how_many_are_needed(use_model, db_url, tmp_path) -> None:
    result = invoke(*WINDOW, "--db-url", db_url, "--min-rows", "200", "--out-dir", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "current data has 120 row(s); a drift report needs at least 200" in result.stderr


def test_a_model_without_reference_is_a_clear_error(use_model, model_without_reference, db_url, tmp_path) -> None:
    use_model(model_without_reference)
    result = invoke(*WINDOW, "--db-url", db_url, "--out-dir", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "Model test/1 has no reference data" in result.stderr and "--reference PATH" in result.stderr


def test_a_reference_file_replaces_the_models_reference(use_model, kit, drift_model, db_url, tmp_path) -> None:
    path = tmp_path / "reference.parquet"
    kit.scored(drift_model, kit.texts(kit.balanced(10), seed=9)).to_parquet(path)
    result = invoke(*WINDOW, "--db-url", db_url, "--reference", str(path), "--out-dir", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_reference"] == 60 and summary["context"]["reference"] == str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--current", "contacts.txt"], "unknown file type"),
        (["--current", "absent.csv"], "no such file"),
        (["--current", "x.csv", "--since", "2026-01-01"], "leave them out when you pass --current"),
        (["--since", "last tuesday"], "not an ISO 8601 date or time"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "must be before --until"),
    ],
)
def test_bad_input_is_a_clear_error(use_model, db_url, tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    Path("contacts.txt").write_text("hello")
    result = invoke(*args, "--db-url", db_url)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not Path("reports").exists()


def test_default_window_is_the_last_seven_days() -> None:
    since, until = cli.resolve_window(None, None, now=MOMENT)
    assert (since, until) == (MOMENT - timedelta(days=7), MOMENT)
    assert cli.resolve_window("2026-03-01T10:00:00+01:00", None, now=MOMENT)[0] == datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_default_out_dir_is_timestamped_under_reports() -> None:
    assert cli.default_out_dir(MOMENT) == Path("reports/drift-20260302T093000Z")


def test_the_root_cli_mounts_drift_under_monitor() -> None:
    pytest.importorskip("synthetic.cli", reason="the root CLI also needs synthetic.cli")
    from triage.cli import app

    result = CliRunner().invoke(app, ["monitor", "drift", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--since", "--until", "--current", "--reference", "--text-column", "--model-uri", "--out-dir"):
        assert option in result.stdout
    for command, options in [
        (["monitor", "quality"], ("--since", "--current", "--label-column", "--workspace", "--out-dir")),
        (["monitor", "check"], ("--since", "--current", "--config", "--print-config", "--workspace")),
        (["monitor", "ui"], ("--workspace", "--host", "--port")),
        (["report", "governance"], ("--since", "--until", "--out", "--model-uri", "--config")),
    ]:
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, result.output
        assert all(option in result.stdout for option in options), command


def test_reading_a_scored_frame_file_needs_no_model_routing(use_model, drift_model, kit, db_url, tmp_path) -> None:
    scored = kit.scored(drift_model, kit.texts(kit.balanced(10), seed=10))
    path = tmp_path / "scored.csv"
    scored.assign(intent="pothole_report").to_csv(path, index=False)  # a scored file is trusted as it is
    result = invoke("--current", str(path), "--out-dir", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["columns"]["intent"]["drifted"] is True
    assert pd.read_csv(path)["intent"].eq("pothole_report").all()


@pytest.mark.slow  # the registry's loader opens the session's MLflow store (~15 s when it is new)
def test_a_saved_model_folder_loads_through_the_real_loader(drift_model, db_url, tmp_path, mlflow_store) -> None:
    folder = drift_model.save(tmp_path / "model")
    result = invoke(*WINDOW, "--db-url", db_url, "--model-uri", str(folder), "--out-dir", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["context"]["model_version"] == "local:model" and summary["drift_detected"] is False
