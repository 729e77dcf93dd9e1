"""`triage report atrs`: the transparency record of the bootstrapped model, checked against the published ATRS
field list and, figure by figure, against MLflow and `triage monitor check`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from typer.testing import CliRunner

from monitoring import report_cli
from monitoring.atrs_render import render
from monitoring.atrs_schema import COUNCIL, AtrsRecord, load_field_list, validate_record
from triage.cli import app

START = datetime(2026, 3, 2, tzinfo=UTC)
WINDOW = ["--since", "2026-03-02", "--until", "2026-03-03"]
NAME = "atrs"


@pytest.fixture(scope="module")
def bootstrapped(mlflow_store, tmp_path_factory):
    """`triage bootstrap` (small and TF-IDF, for speed) into the session's MLflow store, and a decision log with a
    day of the model's decisions on the held-out test split, each with the agent's feedback."""
    from training.bootstrap import bootstrap
    from training.registry import load_model
    from triage.config import get_core_settings
    from triage.decision_log import DecisionLog, make_record
    from triage.schemas import Contact, Feedback

    folder = tmp_path_factory.mktemp("atrs")
    settings = get_core_settings()
    result = bootstrap(settings=settings, registered_name=NAME, data_dir=folder / "data", n=2000, model_type="tfidf")
    assert result.created
    loaded = load_model(settings, f"models:/{NAME}@champion")
    test = pd.read_csv(folder / "data" / "contacts_test.csv").head(200)
    decisions = loaded.model.decide(test["text"].tolist(), model_version=loaded.version)
    db_url = f"sqlite:///{folder}/decisions.db"
    log = DecisionLog(db_url)
    log.write(
        [
            make_record(
                Contact(text=row.text, channel=row.channel, metadata={"region": row.region}),
                decision,
                now=START + timedelta(minutes=i),
            )
            for i, (row, decision) in enumerate(zip(test.itertuples(), decisions, strict=True))
        ]
    )
    for decision, intent in zip(decisions, test["intent"], strict=True):
        log.add_feedback(Feedback(decision_id=decision.decision_id, true_intent=intent))
    log.close()
    return {"folder": folder, "db_url": db_url, "version": loaded.version, "n": len(test)}


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def record(bootstrapped) -> AtrsRecord:
    out = bootstrapped["folder"] / "atrs.json"
    result = invoke(
        "report", "atrs", "--out", str(out), "--model-uri", f"models:/{NAME}@champion",
        *WINDOW, "--db-url", bootstrapped["db_url"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["valid"] and summary["model_version"] == bootstrapped["version"]
    return AtrsRecord.model_validate_json(out.read_text())


def test_the_field_list_is_the_published_structure() -> None:
    fields = load_field_list()
    assert fields.version == "3.0" and any("gov.uk" in s for s in fields.sources)
    tiers = [s.tier for s in fields.sections]
    assert tiers.count("Tier 1") == 1 and tiers.count("Tier 2") == 5 and tiers[0] == "Metadata"
    refs = [f.ref for s in fields.sections for f in s.fields if f.ref]
    assert refs[0] == "1.1" and refs[-1] == "5.2" and len(refs) == len(set(refs)) == 46
    assert {"1.3", "1.4.1", "1.4.4", "4.2.7", "4.3.6"} <= set(refs)
    keys = fields.field_keys()
    assert len(keys) == 61 and len(set(keys)) == 60  # 'phase' is in the metadata and in 4.1.2


def test_the_record_of_the_bootstrapped_model_validates_against_the_field_list(record) -> None:
    assert validate_record(record) == []
    counts = record.counts()
    assert counts["fields"] == 61 and counts["filled"] > 25 and counts["council"] > 15
    for key in ("senior_responsible_owner", "third_party", "procurement_procedure_type", "organisation"):
        assert record.field(key).status == "council" and record.field(key).text == COUNCIL
    for key in ("detailed_description", "human_decisions_and_review", "model_performance", "risks_and_mitigations"):
        assert record.field(key).status == "filled"


def test_every_training_figure_equals_the_mlflow_metric_of_the_version(record, bootstrapped) -> None:
    from training.registry import resolve_version, use_tracking
    from triage.config import get_core_settings

    client = use_tracking(get_core_settings())
    version = resolve_version(client, f"models:/{NAME}@champion")
    assert record.run_id == version.run_id and record.model_version == bootstrapped["version"]
    metrics = client.get_run(version.run_id).data.metrics
    from_mlflow = [f for f in record.figures() if f.source.kind == "mlflow_metric"]
    assert len(from_mlflow) > 40
    for figure in from_mlflow:
        assert figure.source.run_id == version.run_id
        assert figure.value == metrics[figure.source.metric], figure.key
    keys = {f.key for f in from_mlflow}
    assert {"accuracy", "coverage_at_precision_0.95", "accepted_precision", "safeguarding_recall"} <= keys
    assert {"segment_gap/channel/email", "segment_gap/language/cy", "segment_n/channel/phone"} <= keys
    assert any(k.startswith("safeguarding_recall/") for k in keys) and any(
        k.startswith("segment_gap/region/") for k in keys
    )
    performance = record.field("model_performance")
    target = next(f for f in performance.figures if f.key == "coverage_at_precision_0.95")
    assert "(the policy's target)" in target.label
    assert any("not measured for this version" in item for item in performance.items)  # no out-of-scope rows
    assert all("synthetic contacts" in f.measured_on for f in from_mlflow)  # says what the data was


def test_in_service_figures_equal_what_monitor_check_reports(record, bootstrapped) -> None:
    common = ["--db-url", bootstrapped["db_url"], "--model-uri", f"models:/{NAME}@champion", "--no-workspace"]
    report = json.loads(invoke("monitor", "check", *WINDOW, *common).stdout)
    conditions = {c["condition"]: c for c in report["failed"] + report["passed"]}
    in_service = {f.key: f for f in record.figures() if f.source.kind == "monitoring_check"}
    assert in_service["monitoring.n"].value == report["n"] == bootstrapped["n"]
    assert in_service["monitoring.drift"].value == conditions["drift"]["value"]
    assert in_service["monitoring.estimate_check.error"].value == conditions["estimate_gap"]["value"]
    out_dir = bootstrapped["folder"] / "quality"
    quality = json.loads(invoke("monitor", "quality", *WINDOW, *common, "--out-dir", str(out_dir)).stdout)
    assert in_service["monitoring.measured.accuracy"].value == quality["measured"]["accuracy"]
    assert in_service["monitoring.self_service_share"].value == quality["self_service_share"]
    usage = record.field("frequency_and_scale_of_usage")
    assert usage.status == "filled" and any(f.key == "monitoring.n" for f in usage.figures)


def test_markdown_and_html_show_every_field_and_figure(record, bootstrapped) -> None:
    for suffix in ("md", "html"):
        out = bootstrapped["folder"] / f"atrs.{suffix}"
        result = invoke(
            "report", "atrs", "--out", str(out), "--model-uri", f"models:/{NAME}@champion",
            *WINDOW, "--db-url", bootstrapped["db_url"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        text = out.read_text()
        assert text.count(COUNCIL) >= record.counts()["council"]
        for section in record.sections:
            assert section.title in text
            for item in section.fields:
                assert item.name in text
        for figure in record.figures():
            assert figure.shown in text
    html = (bootstrapped["folder"] / "atrs.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and 'href="http' not in html.split("</nav>")[1]


def test_text_from_the_system_is_escaped_in_html_and_markdown(record) -> None:
    tampered = record.model_copy(deep=True)
    tampered.field("task").text = '<script>alert("x")</script> | pipe'
    assert "<script>" not in render(tampered, "html") and "&lt;script&gt;" in render(tampered, "html")
    assert "<script>" not in render(tampered, "markdown")


def test_validation_names_what_does_not_match(record) -> None:
    broken = record.model_copy(deep=True)
    broken.sections[1].fields.pop(0)
    broken.field("team").text = "Contact centre"  # still marked for the council
    broken.field("scope").text = " "
    problems = validate_record(broken)
    assert "Tier 1 - Overview: Name is missing" in problems
    assert any("1.2 Team is marked for the council but does not say" in p for p in problems)
    assert any("2.2 Scope is marked filled but has no content" in p for p in problems)


def test_without_monitoring_the_usage_field_is_left_to_the_council(bootstrapped) -> None:
    out = bootstrapped["folder"] / "plain.json"
    result = invoke("report", "atrs", "--out", str(out), "--model-uri", f"models:/{NAME}@champion", "--no-monitoring")
    assert result.exit_code == 0, result.output
    plain = AtrsRecord.model_validate_json(out.read_text())
    assert validate_record(plain) == [] and plain.field("frequency_and_scale_of_usage").status == "council"
    assert not [f for f in plain.figures() if f.source.kind == "monitoring_check"]


def test_an_empty_window_says_so(bootstrapped) -> None:
    out = bootstrapped["folder"] / "empty.json"
    args = ["--since", "2020-01-01", "--until", "2020-01-02", "--db-url", bootstrapped["db_url"]]
    result = invoke("report", "atrs", "--out", str(out), "--model-uri", f"models:/{NAME}@champion", *args)
    assert result.exit_code == 0, result.output
    empty = AtrsRecord.model_validate_json(out.read_text())
    assert "No decisions in the decision log" in (empty.field("frequency_and_scale_of_usage").note or "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "record.pdf"], "should end in .json, .md or .html"),
        (["--out", "r.json", "--no-monitoring", "--since", "2026-01-01"], "leave them out with --no-monitoring"),
        (["--out", "r.json", "--since", "yesterday"], "is not an ISO 8601 date"),
    ],
)
def test_bad_input_is_one_clear_error(args, message, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("report", "atrs", *args)
    assert result.exit_code == 2 and message in result.stderr and not list(tmp_path.iterdir())


def test_the_governance_report_links_to_the_record(bootstrapped, record, monkeypatch) -> None:
    folder = bootstrapped["folder"]
    (folder / "records").mkdir(exist_ok=True)
    atrs = folder / "records" / "atrs.html"
    atrs.write_text(render(record, "html"))
    out = folder / "board" / "governance.html"
    args = ["report", "governance", *WINDOW, "--out", str(out), "--db-url", bootstrapped["db_url"]]
    args += ["--model-uri", f"models:/{NAME}@champion"]
    result = invoke(*args, "--atrs", str(atrs))
    assert result.exit_code == 0, result.output
    assert 'href="../records/atrs.html"' in out.read_text()
    result = invoke(*args, "--atrs", "https://www.gov.uk/algorithmic-transparency-records/example")
    assert result.exit_code == 0, result.output
    assert 'href="https://www.gov.uk/algorithmic-transparency-records/example"' in out.read_text()
    missing = invoke(*args, "--atrs", str(folder / "nope.html"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    assert report_cli.transparency_link(None, report=out) is None
