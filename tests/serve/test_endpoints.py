from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.runtime import ModelSource
from serve.settings import ServeSettings
from triage.decision_log import DecisionLog
from triage.router import ServingModel


@pytest.fixture
def client(tmp_path: Path, fitted_model) -> Iterator[TestClient]:
    settings = ServeSettings(db_url=f"sqlite:///{tmp_path}/decisions.db", dev_mode=True, max_batch_contacts=5)
    with TestClient(create_app(settings, model_loader=lambda: ServingModel(fitted_model, "test/1"))) as c:
        yield c


def test_batch_routes_in_order(client: TestClient) -> None:
    texts = ["there is a pothole on mill lane", "how do i pay my council tax", "my blue bin was missed on friday"]
    response = client.post("/v1/route/batch", json={"contacts": [{"text": t} for t in texts]})
    assert response.status_code == 200
    assert [d["intent"] for d in response.json()["decisions"]] == [
        "pothole_report",
        "council_tax_payment",
        "missed_bin_collection",
    ]


def test_batch_limits(client: TestClient) -> None:
    assert client.post("/v1/route/batch", json={"contacts": []}).status_code == 422
    assert client.post("/v1/route/batch", json={"contacts": [{"text": "bin"}] * 6}).status_code == 413
    assert client.post("/v1/route/batch", json={"contacts": [{"text": "bin"}, {"text": " "}]}).status_code == 422


def test_feedback_is_stored_redacted_and_unknown_decisions_are_404(client: TestClient, tmp_path: Path) -> None:
    decision = client.post("/v1/route", json={"text": "my green bin was missed"}).json()
    receipt = client.post(
        "/v1/feedback",
        json={
            "decision_id": decision["decision_id"],
            "true_intent": "missed_bin_collection",
            "resolved_by_self_service": True,
            "note": "resident on 07700 900123 confirmed",
        },
    )
    assert receipt.status_code == 201 and receipt.json()["decision_id"] == decision["decision_id"]
    frame = DecisionLog(f"sqlite:///{tmp_path}/decisions.db").read_decisions()
    assert frame.loc[0, "true_intent"] == "missed_bin_collection"
    missing = client.post("/v1/feedback", json={"decision_id": "nope", "true_intent": "x"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    assert client.post("/v1/feedback", json={"decision_id": "x", "surprise": 1}).status_code == 422


def test_readiness_and_metrics(client: TestClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    client.post("/v1/route", json={"text": "pothole on high street"})
    client.post("/v1/route", json={"text": ""})
    text = client.get("/metrics").text
    assert 'triage_http_requests_total{path="/v1/route",status="200"} 1.0' in text
    assert 'triage_http_errors_total{path="/v1/route",status="422"} 1.0' in text
    assert "triage_decisions_total" in text and "triage_http_request_seconds_bucket" in text
    assert 'triage_model_info{version="test/1"} 1.0' in text


def test_invalid_utf8_and_oversized_bodies_are_4xx(tmp_path: Path, fitted_model) -> None:
    settings = ServeSettings(db_url=f"sqlite:///{tmp_path}/d.db", dev_mode=True, max_body_bytes=2048)
    with TestClient(create_app(settings, model_loader=lambda: ServingModel(fitted_model, "t/1"))) as c:
        bad = c.post("/v1/route", content=b'{"text": "\xff\xfe"}', headers={"content-type": "application/json"})
        assert 400 <= bad.status_code < 500
        big = c.post("/v1/route", json={"text": "a" * 5000})
        assert big.status_code == 413 and "larger than 2048 bytes" in big.json()["detail"]


def test_champion_move_is_picked_up_without_failing_requests(tmp_path: Path, fitted_model) -> None:
    versions = {"current": "m/1"}

    def load() -> ServingModel:
        return ServingModel(fitted_model, versions["current"])

    settings = ServeSettings(db_url=f"sqlite:///{tmp_path}/d.db", dev_mode=True, model_poll_seconds=0)
    app = create_app(settings, source=ModelSource(load=load, probe=lambda: versions["current"]))
    with TestClient(app) as c:
        assert c.post("/v1/route", json={"text": "pothole"}).json()["model_version"] == "m/1"
        runtime = app.state.runtime
        assert not runtime.check_for_new_model()
        versions["current"] = "m/2"
        assert runtime.check_for_new_model()
        assert c.post("/v1/route", json={"text": "pothole"}).json()["model_version"] == "m/2"
        assert runtime.version_changes == [("m/1", "m/2")]
        assert c.get("/v1/model").json()["model_version"] == "m/2"


def test_moving_the_champion_under_load_loses_no_request(
    tmp_path: Path, fitted_model, caplog: pytest.LogCaptureFixture
) -> None:
    versions = {"current": "m/1"}
    settings = ServeSettings(db_url=f"sqlite:///{tmp_path}/d.db", dev_mode=True, model_poll_seconds=0.05)
    source = ModelSource(
        load=lambda: ServingModel(fitted_model, versions["current"]), probe=lambda: versions["current"]
    )
    statuses: list[int] = []
    seen: set[str] = set()
    stop = threading.Event()
    with caplog.at_level("WARNING", logger="triage.serve"), TestClient(create_app(settings, source=source)) as c:

        def hammer() -> None:
            while not stop.is_set():
                response = c.post("/v1/route", json={"text": "pothole on mill lane"})
                statuses.append(response.status_code)
                seen.add(response.json().get("model_version", "?"))

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(statuses) < 40 and time.monotonic() < deadline:
            stop.wait(0.05)
        versions["current"] = "m/2"
        while "m/2" not in seen and time.monotonic() < deadline:
            stop.wait(0.05)
        while len(statuses) < 120 and time.monotonic() < deadline:
            stop.wait(0.05)
        stop.set()
        for thread in threads:
            thread.join()
    assert statuses and set(statuses) == {200}
    assert seen == {"m/1", "m/2"}
    assert "model version changed from m/1 to m/2" in caplog.text
    frame = DecisionLog(f"sqlite:///{tmp_path}/d.db").read_decisions()
    assert len(frame) == len(statuses) and set(frame.model_version) == {"m/1", "m/2"}
