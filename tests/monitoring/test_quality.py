from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from typer.testing import CliRunner

from monitoring import cli
from monitoring.quality import QualityOptions, find_misroutes, quality_snapshot, summarise, write_quality_report
from monitoring.window import Window, read_file_window, read_log_window, standardise
from triage.decision_log import DecisionLog, make_record
from triage.errors import ConfigError
from triage.schemas import Contact, Feedback

START = datetime(2026, 3, 2, tzinfo=UTC)


def decision(**values) -> dict:
    row = {
        "text": "some contact",
        "intent": "pothole_report",
        "confidence": 0.9,
        "accepted": True,
        "route": "self_service",
        "queue": None,
        "rule": "accepted",
        "safeguarding_category": None,
        "channel": "web",
        "language": "en",
        "region": "Castle",
        "true_intent": None,
        "resolved_by_self_service": None,
    }
    return {**row, **values}


def window(rows: list[dict]) -> Window:
    frame = standardise(pd.DataFrame(rows), source="test")
    return Window(frame=frame, start=START, end=START + timedelta(days=1), source="test")


def test_misroutes_are_the_three_kinds_found_through_feedback(drift_model) -> None:
    rows = [
        decision(true_intent="parking_permit"),  # self-service answer for the wrong need
        decision(true_intent="pothole_report", resolved_by_self_service=False),  # right intent, did not resolve
        decision(  # accepted into environmental health; really a housing repair (self-service, no queue)
            intent="noise_complaint", route="human", queue="environmental_health", true_intent="housing_repair"
        ),
        decision(  # abstained to the fallback queue: the policy working, not a misroute
            accepted=False, route="human", queue="general_enquiries", rule="below_threshold", true_intent="x"
        ),
        decision(true_intent="pothole_report", resolved_by_self_service=True),  # fine
    ]
    found = find_misroutes(window(rows).frame, taxonomy=drift_model.taxonomy)
    assert (found.wrong_self_service, found.unresolved_self_service, found.wrong_queue) == (1, 1, 1)
    assert found.total == 3
    assert [e["kind"] for e in found.examples] == ["wrong_self_service", "unresolved", "wrong_queue"]


def test_summary_counts_automation_safeguarding_and_corrections(drift_model) -> None:
    rows = [
        *[decision(true_intent="pothole_report") for _ in range(6)],
        decision(true_intent="noise_complaint", confidence=0.7),
        decision(rule="safeguarding:risk_to_life", route="human", queue="safeguarding", accepted=False),
        decision(rule="human_request:asked_for_person", route="human", queue="customer_services", accepted=False),
        decision(safeguarding_category="domestic_abuse", rule="safeguarding:domestic_abuse", route="human"),
    ]
    summary = summarise(window(rows), model=drift_model)
    assert summary.n == 10 and summary.self_service_share == pytest.approx(0.7)
    assert summary.safeguarding == 2 and summary.safeguarding_categories == {"domestic_abuse": 1, "unspecified": 1}
    assert summary.human_requests == 1
    assert summary.n_labelled == 7 and summary.measured.accuracy == pytest.approx(6 / 7)
    assert summary.estimated.accuracy == pytest.approx((9 * 0.9 + 0.7) / 10)
    assert summary.corrections == 1 and summary.top_corrections[0].true_intent == "noise_complaint"
    assert summary.reference is not None and summary.reference.measured_accuracy == pytest.approx(1.0, abs=0.05)
    assert any("cannot see concept drift" in note for note in summary.notes)


def test_segments_are_judged_only_with_enough_labels(drift_model) -> None:
    rows = [decision(channel="web", true_intent="pothole_report") for _ in range(30)]
    rows += [decision(channel="chat", true_intent="parking_permit") for _ in range(10)]  # all wrong, 10 rows
    rows += [decision(channel="email", true_intent="parking_permit") for _ in range(3)]  # all wrong, 3 rows
    summary = summarise(window(rows), model=drift_model, options=QualityOptions(min_segment_rows=10))
    by_channel = {s.value: s for s in summary.segments if s.column == "channel"}
    assert by_channel["chat"].flagged and by_channel["chat"].gap == pytest.approx(0 - 30 / 43)
    assert not by_channel["email"].evaluated and not by_channel["email"].flagged
    assert not by_channel["web"].flagged  # better than overall is not a problem
    assert {s.column for s in summary.segments} == {"channel", "language", "region"}


def test_per_intent_precision_and_how_surprising_the_corrections_are(drift_model) -> None:
    rows = [decision(intent="noise_complaint", confidence=0.95, true_intent="housing_repair") for _ in range(5)]
    rows += [decision(true_intent="pothole_report") for _ in range(5)]
    summary = summarise(window(rows), model=drift_model)
    noise = next(i for i in summary.per_intent if i.intent == "noise_complaint")
    assert (noise.n_predicted, noise.precision, noise.n_true) == (5, 0.0, 0)
    assert noise.correct_tail_p is not None and noise.correct_tail_p < 1e-6
    pothole = next(i for i in summary.per_intent if i.intent == "pothole_report")
    assert pothole.precision == 1.0 and pothole.correct_tail_p == 1.0


def test_quality_snapshot_holds_the_dashboard_series() -> None:
    rows = [decision(true_intent="pothole_report"), decision(route="human", accepted=False), decision(confidence=0.5)]
    results = quality_snapshot(window(rows).frame, timestamp=START).dict()
    values = {
        (m["config"]["type"].rsplit(":", 1)[1], m["config"].get("column")): m["value"] for m in results["metrics"]
    }
    assert values[("RowCount", None)] == 3
    assert values[("MeanValue", "automated")] == pytest.approx(2 / 3)
    assert values[("MeanValue", "expected_correct")] == pytest.approx((0.9 + 0.9 + 0.5) / 3)
    assert values[("MeanValue", "correct")] == 1.0  # over the one labelled decision
    assert values[("SumValue", "labelled")] == 1


def test_report_files_are_written_once(drift_model, tmp_path) -> None:
    summary = summarise(window([decision(true_intent="pothole_report")]), model=drift_model)
    html_path, json_path = write_quality_report(summary, tmp_path / "quality")
    page = html_path.read_text(encoding="utf-8")
    assert "<script" not in page and "cannot see concept drift" in page and "Misroutes" in page
    assert json.loads(json_path.read_text())["n"] == 1
    with pytest.raises(ConfigError, match="already exists"):
        write_quality_report(summary, tmp_path / "quality")


@pytest.fixture
def labelled_log(tmp_path, drift_model, kit) -> str:
    """60 routed contacts over a day, the first 40 with feedback (10 of them correcting the intent)."""
    url = f"sqlite:///{tmp_path}/decisions.db"
    texts = kit.texts(kit.balanced(10), seed=21)
    log = DecisionLog(url)
    decisions = drift_model.decide(texts["text"].tolist(), model_version="test/1")
    log.write(
        [
            make_record(Contact(text=t, channel=c, metadata={"region": "Abbey"}), d, now=START + timedelta(minutes=i))
            for i, (t, c, d) in enumerate(zip(texts["text"], texts["channel"], decisions, strict=True))
        ]
    )
    for i, (d, label) in enumerate(zip(decisions[:40], texts["label"][:40], strict=True)):
        log.add_feedback(Feedback(decision_id=d.decision_id, true_intent=label if i >= 10 else "parking_permit"))
    log.close()
    return url


def test_log_window_joins_feedback_and_reads_region_from_metadata(labelled_log) -> None:
    log = DecisionLog(labelled_log)
    try:
        frame = read_log_window(log, since=START, until=START + timedelta(days=1)).frame
    finally:
        log.close()
    assert len(frame) == 60 and int(frame["labelled"].sum()) == 40
    assert set(frame["region"]) == {"Abbey"}
    assert frame["created_at"].min() == pd.Timestamp(START)


def test_quality_command_over_the_log(use_model, labelled_log, tmp_path, monkeypatch) -> None:
    workspace = tmp_path / "ws"
    monkeypatch.setenv("TRIAGE_MONITORING_WORKSPACE", str(workspace))
    out_dir = tmp_path / "quality"
    args = ["--since", "2026-03-02", "--until", "2026-03-03", "--db-url", labelled_log, "--out-dir", str(out_dir)]
    result = CliRunner().invoke(cli.app, ["quality", *args])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n"] == 60 and summary["n_labelled"] == 40
    assert summary["corrections"] >= 10 and summary["measured"]["accuracy"] <= 0.75
    assert summary["context"]["model_version"] == "test/1"
    assert {p.name for p in out_dir.iterdir()} == {"quality.html", "quality.json"}
    from monitoring.workspace import MonitoringWorkspace

    (snapshot,) = MonitoringWorkspace(workspace).snapshots()
    assert snapshot.timestamp == datetime(2026, 3, 2) and snapshot.metadata["kind"] == "quality"


def test_quality_of_a_labelled_contacts_file(use_model, drift_model, kit, tmp_path) -> None:
    path = tmp_path / "contacts.csv"
    kit.texts(kit.balanced(10), seed=22).rename(columns={"label": "intent"}).to_csv(path, index=False)
    window = read_file_window(path, model=drift_model)
    assert window.frame["labelled"].all() and window.frame["correct"].mean() > 0.9  # the file's intent is the label
    result = CliRunner().invoke(
        cli.app, ["quality", "--current", str(path), "--out-dir", str(tmp_path / "q"), "--no-workspace"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_labelled"] == 60


@pytest.fixture
def use_model(monkeypatch, drift_model):
    from training.registry import LoadedModel

    monkeypatch.setattr(
        cli, "load_reference_model", lambda uri: LoadedModel(model=drift_model, uri="test", version="test/1")
    )
