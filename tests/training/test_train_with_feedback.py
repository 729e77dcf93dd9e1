from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
import pytest

from training.fit import FitOptions
from training.train import train
from triage.config import CoreSettings
from triage.decision_log import DecisionLog, make_record
from triage.schemas import Contact, Feedback


@pytest.mark.slow
def test_include_feedback_adds_agent_labelled_contacts(
    tmp_path: Path, mlflow_store: Path, contacts: pd.DataFrame, fitted_model
) -> None:
    log = DecisionLog(f"sqlite:///{tmp_path}/decisions.db")
    texts = ["my wheelie bin lid snapped off", "the lid of my bin is broken", "bin lid came off in the wind"]
    decisions = fitted_model.decide(texts)
    log.write([make_record(Contact(text=t), d) for t, d in zip(texts, decisions, strict=True)])
    for decision in decisions:
        log.add_feedback(Feedback(decision_id=decision.decision_id, true_intent="new_bin_request"))
    log.close()

    data = tmp_path / "contacts.csv"
    contacts.to_csv(data, index=False)
    settings = CoreSettings(db_url=f"sqlite:///{tmp_path}/decisions.db")
    outcome = train(
        data=data, settings=settings, options=FitOptions(), registered_name="with-feedback", include_feedback=True
    )
    run = mlflow.get_run(outcome.run_id)
    assert run.data.params["feedback_rows"] == "3"
    assert run.data.params["n_labels"] == "7"  # the six in the data plus new_bin_request from feedback
