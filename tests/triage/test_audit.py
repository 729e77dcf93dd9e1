from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from triage.audit_cli import app
from triage.decision_log import DecisionLog, make_record
from triage.governance import GovernanceStore
from triage.schemas import Contact, Feedback


@pytest.fixture
def log(tmp_path: Path, fitted_model) -> DecisionLog:
    store = DecisionLog(f"sqlite:///{tmp_path}/audit.db")
    texts = [f"pothole number {i} on mill lane" for i in range(6)]
    decisions = fitted_model.decide(texts, model_version="m/1")
    for contact, decision in zip([Contact(text=t) for t in texts], decisions, strict=True):
        store.write([make_record(contact, decision)])
    store.add_feedback(Feedback(decision_id=decisions[0].decision_id, true_intent="pothole_report"))
    GovernanceStore(store.engine).record(actor="alice", action="kill_switch", value=True, reason="incident")
    return store


def verify(log: DecisionLog) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["--db-url", log.url])
    return result.exit_code, json.loads(result.stdout)


def test_an_untouched_log_verifies(log: DecisionLog) -> None:
    code, report = verify(log)
    assert code == 0 and report["ok"]
    assert {c["chain"]: c["rows"] for c in report["chains"]} == {"decisions": 6, "feedback": 1, "governance": 1}


def tamper(log: DecisionLog, sql: str) -> None:
    with log.engine.begin() as conn:
        for statement in sql.split(";"):
            conn.execute(text(statement))


@pytest.mark.parametrize(
    ("sql", "problem", "position"),
    [
        ("UPDATE decisions SET confidence = confidence / 2 WHERE seq = 3", "edited", 2),
        ("UPDATE decisions SET text_redacted = 'something else' WHERE seq = 2", "edited", 1),
        ("DELETE FROM decisions WHERE seq = 4", "deleted", 3),
        ("DELETE FROM decisions WHERE seq = 6", "deleted", 5),
        (
            "UPDATE decisions SET seq = 100 WHERE seq = 2; UPDATE decisions SET seq = 2 WHERE seq = 5; "
            "UPDATE decisions SET seq = 5 WHERE seq = 100",
            "reordered",
            1,
        ),
    ],
)
def test_edits_deletions_and_reordering_are_found(log: DecisionLog, sql: str, problem: str, position: int) -> None:
    tamper(log, sql)
    code, report = verify(log)
    broken = report["chains"][0]
    assert code == 1 and not report["ok"]
    assert (broken["chain"], broken["problem"], broken["position"]) == ("decisions", problem, position)


def test_a_changed_governance_record_is_found(log: DecisionLog) -> None:
    tamper(log, "UPDATE governance_changes SET actor = 'mallory'")
    code, report = verify(log)
    governance = next(c for c in report["chains"] if c["chain"] == "governance")
    assert code == 1 and governance["problem"] == "edited"
