from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from monitoring.frames import (
    DESCRIPTOR_COLUMNS,
    EmptyWindowError,
    ReferenceMissingError,
    align,
    frame_from_file,
    from_decisions,
    read_window,
    reference_frame,
)
from triage.decision_log import DecisionLog, make_record
from triage.errors import DataError
from triage.schemas import Contact

EMAIL = "jane.doe@example.com"


def test_a_model_without_reference_is_refused_with_the_fix(model_without_reference) -> None:
    with pytest.raises(ReferenceMissingError, match=r"no reference data.*--reference PATH"):
        reference_frame(model_without_reference, model_version="triage/3")


def test_raw_contacts_are_routed_by_the_model_and_redacted(drift_model, tmp_path) -> None:
    texts = [f"my green bin was not collected on monday, write to {EMAIL}", "there is a huge pothole on mill lane"]
    path = tmp_path / "contacts.csv"
    pd.DataFrame({"text": texts, "intent": ["a_label", "another_label"], "channel": ["web", "email"]}).to_csv(
        path, index=False
    )
    frame = frame_from_file(path, model=drift_model)
    decisions = drift_model.decide(texts)
    assert frame["intent"].tolist() == [d.intent for d in decisions] == ["missed_bin_collection", "pothole_report"]
    assert frame["confidence"].tolist() == pytest.approx([d.confidence for d in decisions])
    assert frame["route"].tolist() == [d.route for d in decisions]
    assert frame["channel"].tolist() == ["web", "email"]
    assert EMAIL not in frame["text"].iloc[0] and "[EMAIL]" in frame["text"].iloc[0]


def test_scored_decisions_keep_their_predictions(drift_model, tmp_path) -> None:
    path = tmp_path / "decisions.jsonl"
    pd.DataFrame(
        {
            "text_redacted": ["renew my parking permit", f"mail {EMAIL}"],
            "intent": ["noise_complaint", None],
            "confidence": [0.42, 0.9],
            "accepted": ["False", "True"],
            "route": ["human", "self_service"],
        }
    ).to_json(path, orient="records", lines=True)
    frame = frame_from_file(path, model=drift_model)
    assert frame["intent"].tolist() == ["noise_complaint", "(none)"]  # not re-routed
    assert frame["accepted"].tolist() == ["false", "true"]
    assert frame["confidence"].tolist() == [0.42, 0.9]
    assert EMAIL not in " ".join(frame["text"])


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("contacts.txt", "hello", "unknown file type"),
        ("contacts.csv", "message\nhello\n", r"no column 'text'.*--text-column"),
        ("contacts.csv", "text,intent,confidence\nhello,pothole_report,high\n", "confidence that is missing or not"),
        ("contacts.csv", "text\n", "no rows"),
    ],
)
def test_unusable_files_are_refused_with_the_problem_named(drift_model, tmp_path, name, content, match) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DataError, match=match):
        frame_from_file(path, model=drift_model)


def test_missing_file_is_refused(drift_model, tmp_path) -> None:
    with pytest.raises(DataError, match="no such file"):
        frame_from_file(tmp_path / "absent.csv", model=drift_model)


def test_align_keeps_shared_columns_and_adds_descriptors(drift_model) -> None:
    reference = from_decisions(
        pd.DataFrame(
            {
                "text": ["pothole on mill lane", "renew my parking permit"],
                "intent": ["pothole_report", "parking_permit"],
                "confidence": [0.9, 0.8],
                "accepted": [True, True],
                "route": ["self_service", "self_service"],
                "channel": ["web", "chat"],
                "oov_rate": [0.25, 0.0],  # measured at training time: kept
            }
        ),
        source="reference",
    )
    current = from_decisions(
        pd.DataFrame({"text": ["zorblax pothole, [EMAIL]!"], "intent": ["pothole_report"], "confidence": [0.5]}),
        source="current",
    )
    ref, cur = align(reference, current, vocabulary=drift_model.vocabulary)
    assert list(ref.columns) == list(cur.columns) == ["text", "intent", "confidence", *DESCRIPTOR_COLUMNS]
    assert ref["oov_rate"].tolist() == [0.25, 0.0]
    row = cur.iloc[0]
    assert (row["text_length"], row["word_count"], row["oov_rate"]) == (25, 2, 0.5)  # placeholder is not a word


def test_segments_that_are_always_null_are_dropped() -> None:
    frame = from_decisions(
        pd.DataFrame({"text": ["a"], "intent": ["x"], "confidence": [0.5], "channel": [None], "language": ["en"]}),
        source="log",
    )
    assert "channel" not in frame.columns and frame["language"].tolist() == ["en"]


def test_decision_log_window(drift_model, tmp_path) -> None:
    log = DecisionLog(f"sqlite:///{tmp_path}/decisions.db")
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    text = f"renew my parking permit, I am on {EMAIL}"
    (decision,) = drift_model.decide([text], model_version="test/1")
    log.write([make_record(Contact(text=text, channel="web"), decision, now=moment)])
    try:
        frame = read_window(log, since=moment - timedelta(days=1), until=moment + timedelta(seconds=1))
        assert frame["intent"].tolist() == [decision.intent]
        assert frame["channel"].tolist() == ["web"]
        assert EMAIL not in frame["text"].iloc[0]
        with pytest.raises(EmptyWindowError, match=r"No decisions between 2026-03-02T09:30:01.*widen --since/--until"):
            read_window(log, since=moment + timedelta(seconds=1), until=moment + timedelta(days=1))
    finally:
        log.close()
