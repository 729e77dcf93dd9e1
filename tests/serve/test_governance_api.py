from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import ServeSettings
from triage.router import ServingModel

ADMIN = {"Authorization": "Bearer admin-secret"}
USER = {"Authorization": "Bearer user-secret"}
BIN = {"text": "my green bin was not collected on monday"}
BIN_SWITCH = "/v1/admin/intents/missed_bin_collection/automation"


@pytest.fixture
def client(tmp_path: Path, fitted_model) -> Iterator[TestClient]:
    settings = ServeSettings(
        db_url=f"sqlite:///{tmp_path}/decisions.db",
        api_keys="contact-centre=user-secret",
        admin_keys="alice=admin-secret",
        controls_refresh_seconds=60,
    )
    app = create_app(settings, model_loader=lambda: ServingModel(model=fitted_model, version="test/1"))
    with TestClient(app) as c:
        yield c


def test_kill_switch_sends_everything_to_a_person_at_once_and_is_audited(client: TestClient) -> None:
    assert client.post("/v1/route", json=BIN, headers=USER).json()["route"] == "self_service"
    before = client.get("/v1/model").json()["policy_version"]

    engaged = client.post("/v1/admin/kill-switch", json={"engaged": True, "reason": "incident 42"}, headers=ADMIN)
    assert engaged.status_code == 200, engaged.text
    decision = client.post("/v1/route", json=BIN, headers=USER).json()
    assert decision["route"] == "human" and decision["rule"] == "automation_off"
    assert decision["policy_version"] != before

    client.post("/v1/admin/kill-switch", json={"engaged": False, "reason": "incident closed"}, headers=ADMIN)
    assert client.post("/v1/route", json=BIN, headers=USER).json()["route"] == "self_service"

    audit = client.get("/v1/admin/audit", headers=ADMIN).json()
    assert [(c["actor"], c["action"], c["value"], c["reason"]) for c in audit] == [
        ("alice", "kill_switch", True, "incident 42"),
        ("alice", "kill_switch", False, "incident closed"),
    ]
    assert all(c["at"] for c in audit)


def test_intent_switch_and_threshold_override(client: TestClient) -> None:
    off = client.post(BIN_SWITCH, json={"enabled": False, "reason": "new contract"}, headers=ADMIN)
    assert off.status_code == 200
    assert client.post("/v1/route", json=BIN, headers=USER).json()["rule"] == "intent_disabled"
    client.post(BIN_SWITCH, json={"enabled": True, "reason": "contract fixed"}, headers=ADMIN)

    raised = client.post(
        "/v1/admin/thresholds",
        json={"intent": "missed_bin_collection", "threshold": 1.0, "reason": "review"},
        headers=ADMIN,
    )
    assert raised.json()["policy"]["intent_thresholds"]["missed_bin_collection"] == 1.0
    assert client.post("/v1/route", json=BIN, headers=USER).json()["rule"] == "below_threshold"
    assert client.get("/v1/model").json()["policy"]["intent_thresholds"]["missed_bin_collection"] == 1.0


def test_admin_controls_need_an_admin_key(client: TestClient) -> None:
    body = {"engaged": True, "reason": "no auth"}
    assert client.post("/v1/admin/kill-switch", json=body).status_code == 401
    assert client.post("/v1/admin/kill-switch", json=body, headers=USER).status_code == 403
    assert client.get("/v1/admin/audit", headers=USER).status_code == 403
    assert client.post("/v1/admin/kill-switch", json={"engaged": True}, headers=ADMIN).status_code == 422
    body = {"enabled": False, "reason": "x y z"}
    unknown = client.post("/v1/admin/intents/nope/automation", json=body, headers=ADMIN)
    assert unknown.status_code == 404
    assert client.get("/v1/admin/audit", headers=ADMIN).json() == []
