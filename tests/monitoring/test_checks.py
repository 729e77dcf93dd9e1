from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from typer.testing import CliRunner

from monitoring import cli
from monitoring.checks import CheckConfig, load_config, run_check
from monitoring.frames import reference_frame
from monitoring.window import Window, standardise
from triage.decision_log import DecisionLog, make_record
from triage.errors import ConfigError
from triage.schemas import Contact, Feedback

START = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def use_model(monkeypatch, drift_model):
    from training.registry import LoadedModel

    monkeypatch.setattr(
        cli, "load_reference_model", lambda uri: LoadedModel(model=drift_model, uri="test", version="test/1")
    )


def scored_window(model, texts: pd.DataFrame, *, labels: bool = True) -> Window:
    """The model's decisions on ``texts``; their ``label`` column as the agents' feedback."""
    decisions = model.decide(texts["text"].tolist())
    frame = pd.DataFrame(
        {
            "text": texts["text"],
            "intent": [d.intent for d in decisions],
            "confidence": [d.confidence for d in decisions],
            "accepted": [d.accepted for d in decisions],
            "route": [d.route for d in decisions],
            "queue": [d.queue for d in decisions],
            "rule": [d.rule for d in decisions],
            "channel": texts["channel"],
            "true_intent": texts["label"] if labels else None,
        }
    )
    return Window(frame=standardise(frame, source="test"), start=START, end=START + timedelta(days=1), source="test")


def test_defaults_are_the_documented_ones() -> None:
    config = load_config(None)
    assert config.drift.p_value == 0.001 and config.drift.methods == {"oov_rate": "mannw"}
    assert config.drift.key_columns == ("intent", "queue", "route", "oov_rate", "channel", "language")
    assert (config.estimated_accuracy.max_drop, config.accepted_share.band) == (0.03, 0.10)
    assert (config.measured_accuracy.max_drop, config.measured_accuracy.min_labelled) == (0.05, 50)
    assert (config.estimate_gap.max_gap, config.intent_gap.p_value, config.intent_gap.min_rows) == (0.05, 1e-4, 5)
    assert (config.segment_gap.max_gap, config.segment_gap.min_rows, config.volume.min_rows) == (0.10, 50, 30)


def test_drift_options_use_p_value_tests_on_key_columns() -> None:
    options = CheckConfig().drift_options(["intent", "oov_rate", "confidence", "channel"])
    assert options.per_column_method == {"oov_rate": "mannw", "intent": "chi2_two_sample", "channel": "chi2_two_sample"}
    assert options.per_column_threshold == {"intent": 0.001, "oov_rate": 0.001, "channel": 0.001}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_file_changes_only_what_it_names(tmp_path, suffix) -> None:
    path = tmp_path / f"checks{suffix}"
    data = {"accepted_share": {"low": 0.5, "high": 0.9}, "drift": {"enabled": False}}
    path.write_text(json.dumps(data))  # JSON is valid YAML too
    config = load_config(path)
    assert (config.accepted_share.low, config.accepted_share.high, config.drift.enabled) == (0.5, 0.9, False)
    assert config.estimate_gap.max_gap == 0.05


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("drift:\n  p_valu: 0.01\n", r"drift\.p_valu: Extra inputs are not permitted"),
        ("estimate_gap:\n  max_gap: 2\n", r"estimate_gap\.max_gap"),
        ("- a list\n", "must be a mapping"),
        ("drift: [unclosed\n", "not valid YAML or JSON"),
    ],
)
def test_a_bad_file_is_refused_with_the_problem_named(tmp_path, content, match) -> None:
    path = tmp_path / "checks.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=match):
        load_config(path)


def test_a_normal_window_passes_every_condition(drift_model, kit) -> None:
    window = scored_window(drift_model, kit.texts(kit.balanced(20), seed=31))
    config = CheckConfig(segment_gap={"min_rows": 20})
    report = run_check(window, model=drift_model, reference=reference_frame(drift_model), config=config).report
    assert report.failed == [] and report.skipped == []
    assert [r.condition for r in report.passed] == [
        "volume",
        "drift",
        "estimated_accuracy",
        "accepted_share",
        "measured_accuracy",
        "estimate_gap",
        "intent_gap",
        "segment_gap",
    ]


def test_without_labels_the_label_conditions_are_skipped_not_passed(drift_model, kit) -> None:
    window = scored_window(drift_model, kit.texts(kit.balanced(20), seed=32), labels=False)
    report = run_check(window, model=drift_model, reference=reference_frame(drift_model)).report
    assert {r.condition for r in report.skipped} == {"measured_accuracy", "estimate_gap", "intent_gap", "segment_gap"}
    assert report.failed == []


def test_a_relabelled_intent_fails_intent_gap_and_names_what_agents_said(drift_model, kit) -> None:
    texts = kit.texts(kit.balanced(20), seed=33)
    texts.loc[texts["label"] == "pothole_report", "label"] = "road_defect"  # same words, a new meaning
    window = scored_window(drift_model, texts)
    report = run_check(window, model=drift_model, reference=reference_frame(drift_model)).report
    failed = {r.condition: r for r in report.failed}
    assert "intent_gap:pothole_report" in failed
    assert "Agents most often said road_defect instead" in failed["intent_gap:pothole_report"].message
    assert "drift" not in failed  # the inputs did not change: only labels can show this


def test_thresholds_from_the_config_decide(drift_model, kit) -> None:
    window = scored_window(drift_model, kit.texts(kit.balanced(20), seed=34))
    config = CheckConfig(
        accepted_share={"high": 0.5}, estimated_accuracy={"floor": 0.9999}, segment_gap={"enabled": False}
    )
    report = run_check(window, model=drift_model, reference=reference_frame(drift_model), config=config).report
    assert {r.condition for r in report.failed} == {"accepted_share", "estimated_accuracy"}
    assert "segment_gap" not in {r.condition for r in [*report.passed, *report.skipped]}


@pytest.fixture
def log_url(tmp_path, drift_model, kit) -> str:
    url = f"sqlite:///{tmp_path}/decisions.db"
    texts = kit.texts(kit.balanced(20), seed=35)
    decisions = drift_model.decide(texts["text"].tolist(), model_version="test/1")
    log = DecisionLog(url)
    log.write(
        [
            make_record(Contact(text=t, channel=c), d, now=START + timedelta(minutes=i))
            for i, (t, c, d) in enumerate(zip(texts["text"], texts["channel"], decisions, strict=True))
        ]
    )
    for d, label in zip(decisions, texts["label"], strict=True):
        log.add_feedback(Feedback(decision_id=d.decision_id, true_intent=label))
    log.close()
    return url


def invoke(*args: str):
    return CliRunner().invoke(cli.app, ["check", *args])


def test_check_command_passes_with_exit_0_and_an_empty_failed_list(use_model, log_url) -> None:
    result = invoke("--since", "2026-03-02", "--until", "2026-03-03", "--db-url", log_url)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["failed"] == [] and report["n"] == 120
    assert {"drift", "measured_accuracy", "intent_gap"} <= {c["condition"] for c in report["passed"]}


def test_check_command_fails_with_exit_1_and_the_failed_conditions(use_model, kit, tmp_path) -> None:
    path = tmp_path / "new.csv"
    kit.novel(120, seed=36)[["text", "channel"]].to_csv(path, index=False)
    result = invoke("--current", str(path))
    assert result.exit_code == 1
    failed = {c["condition"]: c for c in json.loads(result.stdout)["failed"]}
    assert "drift" in failed and "oov_rate" in failed["drift"]["details"]["drifted_columns"]
    assert "estimated_accuracy" in failed


def test_an_empty_window_fails_the_volume_condition(use_model, log_url) -> None:
    result = invoke("--since", "2020-01-01", "--until", "2020-01-02", "--db-url", log_url)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [c["condition"] for c in report["failed"]] == ["volume"] and report["n"] == 0


def test_check_adds_its_snapshots_to_the_workspace(use_model, log_url, tmp_path) -> None:
    from monitoring.workspace import MonitoringWorkspace

    workspace = tmp_path / "ws"
    args = ["--since", "2026-03-02", "--until", "2026-03-03", "--db-url", log_url, "--workspace", str(workspace)]
    assert invoke(*args).exit_code == 0
    assert invoke(*args).exit_code == 0  # the same window again replaces, not adds
    kinds = sorted(s.metadata["kind"] for s in MonitoringWorkspace(workspace).snapshots())
    assert kinds == ["drift", "quality"]


def test_print_config_and_bad_config(use_model, tmp_path) -> None:
    result = invoke("--print-config")
    assert result.exit_code == 0 and json.loads(result.stdout)["intent_gap"]["p_value"] == 0.0001
    bad = tmp_path / "bad.yaml"
    bad.write_text("volume:\n  min_rows: -1\n")
    result = invoke("--config", str(bad))
    assert result.exit_code == 2 and "volume.min_rows" in result.stderr


def test_a_decisions_file_without_accepted_flags_skips_the_accepted_share(drift_model, tmp_path) -> None:
    from monitoring.window import read_file_window

    path = tmp_path / "decisions.csv"
    rows = 40 * [["renew my parking permit", "parking_permit", 0.97, "2026-03-02T10:00:00", "parking_permit"]]
    pd.DataFrame(rows, columns=["text", "intent", "confidence", "created_at", "true_intent"]).to_csv(path, index=False)
    window = read_file_window(path, model=drift_model)
    assert window.timestamp == datetime(2026, 3, 2, 10, tzinfo=UTC) and window.frame["labelled"].all()
    config = CheckConfig(drift={"enabled": False})
    report = run_check(window, model=drift_model, reference=None, config=config).report
    assert "accepted_share" in {r.condition for r in report.skipped}
    assert "measured_accuracy" in {r.condition for r in report.skipped}  # 40 labels, 50 needed
