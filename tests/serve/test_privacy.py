"""No raw personal data from the generator's labelled spans reaches the decision log or the service's logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from serve.app import create_app
from serve.settings import ServeSettings
from synthetic.config import GeneratorConfig
from synthetic.generator import generate_contacts
from triage.decision_log import DecisionLog
from triage.router import ServingModel


@pytest.mark.slow
def test_routing_a_synthetic_stream_stores_no_personal_data(
    tmp_path: Path, fitted_model, caplog: pytest.LogCaptureFixture
) -> None:
    contacts = generate_contacts(300, 11, config=GeneratorConfig(pii_share=1.0))
    spans = [
        (row.text[span["start"] : span["end"]], span["type"])
        for row in contacts.itertuples()
        for span in json.loads(row.pii_spans)
    ]
    assert len(spans) > 300  # every contact carries personal data, many carry several kinds

    db = f"sqlite:///{tmp_path}/decisions.db"
    settings = ServeSettings(db_url=db, dev_mode=True)
    with (
        caplog.at_level(logging.DEBUG),
        TestClient(create_app(settings, model_loader=lambda: ServingModel(fitted_model, "p/1"))) as client,
    ):
        for row in contacts.itertuples():
            response = client.post("/v1/route", json={"text": row.text, "channel": row.channel})
            assert response.status_code == 200
            client.post(
                "/v1/feedback",
                json={"decision_id": response.json()["decision_id"], "true_intent": row.intent, "note": row.text},
            )

    log = DecisionLog(db)
    with log.engine.connect() as conn:
        stored = "\n".join(
            json.dumps([list(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {table}"))], ensure_ascii=False)
            for table in ("decisions", "feedback")
        )
    stored += "\n" + caplog.text
    leaked = sorted({(value, kind) for value, kind in spans if value in stored})
    assert leaked == [], f"{len(leaked)} personal-data values were stored, e.g. {leaked[:5]}"
