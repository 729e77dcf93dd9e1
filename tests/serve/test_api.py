from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import ServeSettings
from triage.decision_log import DecisionLog
from triage.errors import ConfigError
from triage.router import ServingModel


def make_client(tmp_path: Path, model, **settings: object) -> TestClient:
    config = ServeSettings(db_url=f"sqlite:///{tmp_path}/decisions.db", **settings)  # type: ignore[arg-type]
    app = create_app(config, model_loader=lambda: ServingModel(model=model, version="test/1"))
    return TestClient(app)


@pytest.fixture
def client(tmp_path: Path, fitted_model) -> Iterator[TestClient]:
    with make_client(tmp_path, fitted_model, dev_mode=True) as c:
        yield c


def test_health_and_model_info(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    info = client.get("/v1/model").json()
    assert info["model_version"] == "test/1"
    assert info["policy"]["acceptance_threshold"] == pytest.approx(info["policy"]["acceptance_threshold"])
    assert info["taxonomy"]["name"] == "UK local council contact centre"
    assert info["policy_version"].startswith("p1-")


def test_route_returns_a_full_decision_and_logs_it_redacted(client: TestClient, tmp_path: Path) -> None:
    response = client.post(
        "/v1/route",
        json={"text": "My green bin was not collected on Tuesday, email jo.bloggs@example.com", "channel": "web"},
    )
    assert response.status_code == 200, response.text
    decision = response.json()
    expected = {
        "decision_id",
        "intent",
        "confidence",
        "accepted",
        "route",
        "queue",
        "priority",
        "answer",
        "alternatives",
        "reasons",
        "model_version",
        "policy_version",
    }
    assert expected <= set(decision)
    assert decision["intent"] == "missed_bin_collection"
    assert decision["model_version"] == "test/1"
    assert len(decision["alternatives"]) == 3
    stored = DecisionLog(f"sqlite:///{tmp_path}/decisions.db").get(decision["decision_id"])
    assert stored is not None and stored.decision.model_dump(mode="json") == decision
    assert "jo.bloggs@example.com" not in stored.text_redacted and "[EMAIL]" in stored.text_redacted
    assert stored.channel == "web"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": ""}, 422),
        ({"text": "   "}, 422),
        ({"text": 42}, 422),
        ({"txt": "bin"}, 422),
        ({"text": "bin", "unexpected": 1}, 422),
        ({"text": "x" * 20_001}, 413),
    ],
)
def test_bad_input_gets_a_4xx_and_writes_nothing(
    client: TestClient, tmp_path: Path, payload: dict, status: int
) -> None:
    response = client.post("/v1/route", json=payload)
    assert response.status_code == status
    assert "detail" in response.json()
    assert DecisionLog(f"sqlite:///{tmp_path}/decisions.db").count() == 0


def test_invalid_json_is_a_4xx(client: TestClient) -> None:
    response = client.post("/v1/route", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_api_keys_are_required_when_configured(tmp_path: Path, fitted_model) -> None:
    with make_client(tmp_path, fitted_model, api_keys="k1,k2") as c:
        assert c.post("/v1/route", json={"text": "bin"}).status_code == 401
        assert c.post("/v1/route", json={"text": "bin"}, headers={"Authorization": "Bearer nope"}).status_code == 403
        assert c.post("/v1/route", json={"text": "bin"}, headers={"Authorization": "Bearer k2"}).status_code == 200
        assert c.get("/healthz").status_code == 200


def test_refuses_to_start_without_keys_outside_development_mode(tmp_path: Path, fitted_model) -> None:
    with pytest.raises(ConfigError, match="TRIAGE_API_KEYS"):
        make_client(tmp_path, fitted_model)
