from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from training.feedback import feedback_rows, normalise, with_feedback
from triage.decision_log import DecisionLog, make_record
from triage.schemas import Contact, Decision, Feedback

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _decision(decision_id: str, intent: str) -> Decision:
    return Decision(
        decision_id=decision_id,
        intent=intent,
        confidence=0.9,
        accepted=True,
        route="self_service",
        queue=None,
        priority="normal",
        answer=None,
        alternatives=[],
        reasons=[],
        rule="accepted",
        model_version="triage/1",
        policy_version="p1",
    )


def _log(tmp_path, contacts: list[tuple[str, str, str | None]]) -> DecisionLog:
    """(text, predicted intent, the agent's true intent or None) per decision, one minute apart."""
    log = DecisionLog(f"sqlite:///{tmp_path}/decisions.db")
    for i, (text, intent, true_intent) in enumerate(contacts):
        decision = _decision(f"d{i}", intent)
        log.write([make_record(Contact(text=text, channel="web"), decision, now=START + timedelta(minutes=i))])
        if true_intent is not None:
            log.add_feedback(Feedback(decision_id=decision.decision_id, true_intent=true_intent))
    return log


def test_agent_labelled_decisions_become_redacted_training_rows(tmp_path) -> None:
    log = _log(
        tmp_path,
        [
            (
                "My bin was not collected. Email me at jo.bloggs@example.com",
                "missed_bin_collection",
                "missed_bin_collection",
            ),
            ("pothole on mill lane", "pothole_report", None),  # no feedback: not a training row
            ("where do I pay for garden waste", "bin_collection_day", "garden_waste_subscription"),  # a correction
        ],
    )
    rows = feedback_rows(log)
    log.close()
    assert list(rows.columns) == ["text", "intent", "channel", "language", "decision_id", "created_at", "source"]
    assert rows["intent"].tolist() == ["missed_bin_collection", "garden_waste_subscription"]  # the agent's label
    assert "jo.bloggs@example.com" not in rows["text"].iloc[0] and "[EMAIL]" in rows["text"].iloc[0]
    assert set(rows["source"]) == {"feedback"}


def test_the_same_text_labelled_twice_keeps_the_latest_label(tmp_path) -> None:
    log = _log(
        tmp_path,
        [
            ("Renew my parking permit!", "parking_permit", "parking_permit"),
            ("renew my   parking permit", "parking_permit", "visitor_parking"),  # later, same normalised text
            ("a different contact", "pothole_report", "pothole_report"),
        ],
    )
    rows = feedback_rows(log, text_column="message", label_column="label")
    log.close()
    assert rows[["message", "label"]].values.tolist() == [
        ["renew my   parking permit", "visitor_parking"],
        ["a different contact", "pothole_report"],
    ]


def test_later_feedback_on_a_decision_replaces_the_earlier_one(tmp_path) -> None:
    log = _log(tmp_path, [("council tax bill too high", "council_tax_payment", "council_tax_payment")])
    log.add_feedback(Feedback(decision_id="d0", true_intent="council_tax_band"))
    rows = feedback_rows(log)
    log.close()
    assert rows["intent"].tolist() == ["council_tax_band"]


def test_an_empty_log_gives_an_empty_frame_with_the_columns(tmp_path) -> None:
    log = DecisionLog(f"sqlite:///{tmp_path}/decisions.db")
    rows = feedback_rows(log)
    log.close()
    assert rows.empty and list(rows.columns)[:2] == ["text", "intent"]


def test_feedback_replaces_training_rows_with_the_same_text() -> None:
    training = pd.DataFrame(
        {"text": ["Renew my permit.", "pothole here"], "intent": ["parking_permit", "pothole_report"]}
    )
    feedback = pd.DataFrame(
        {"text": ["renew my permit"], "intent": ["visitor_parking"], "decision_id": ["d1"], "source": ["feedback"]}
    )
    merged = with_feedback(training, feedback)
    assert merged[["text", "intent"]].values.tolist() == [
        ["pothole here", "pothole_report"],
        ["renew my permit", "visitor_parking"],
    ]
    assert normalise("  Renew, my PERMIT. ") == "renew my permit"
