from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from monitoring.drift import evaluate_drift
from monitoring.frames import align, from_decisions, reference_frame
from monitoring.quality import quality_snapshot
from monitoring.window import standardise
from monitoring.workspace import PANELS, PROJECT_NAME, MonitoringWorkspace

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def frame(n: int, *, safeguarding: int = 0, automated: float = 0.5) -> pd.DataFrame:
    rows = [
        {
            "text": "renew my parking permit",
            "intent": "parking_permit",
            "confidence": 0.9,
            "accepted": True,
            "route": "self_service" if i < automated * n else "human",
            "rule": "safeguarding:risk_to_life" if i < safeguarding else "accepted",
            "true_intent": "parking_permit" if i % 2 else None,
        }
        for i in range(n)
    ]
    return standardise(pd.DataFrame(rows), source="test")


def test_the_project_and_its_panels_are_created_once(tmp_path) -> None:
    first = MonitoringWorkspace(tmp_path / "ws")
    titles = [p.title for p in first.panels()]
    assert titles == [spec.title for spec in PANELS]
    for needed in ("Volume", "Automation", "Drift", "Accuracy: measured and estimated", "Safeguarding hand-offs"):
        assert needed in titles
    again = MonitoringWorkspace(tmp_path / "ws")
    assert [p.name for p in again.workspace.list_projects()] == [PROJECT_NAME]
    assert again.project.id == first.project.id


def test_snapshots_are_dated_by_their_window_and_feed_the_panels(tmp_path, drift_model) -> None:
    ws = MonitoringWorkspace(tmp_path / "ws")
    for day, (n, hand_offs) in enumerate([(40, 1), (60, 3), (50, 0)]):
        start = DAY + timedelta(days=day)
        snapshot = quality_snapshot(frame(n, safeguarding=hand_offs), timestamp=start)
        ws.add(snapshot, kind="quality", window=f"{start:%Y-%m-%d}")
    reference = reference_frame(drift_model)
    ref, cur = align(reference, from_decisions(reference.head(60), source="t"), vocabulary=drift_model.vocabulary)
    ws.add(evaluate_drift(ref, cur, timestamp=DAY).snapshot, kind="drift", window=f"{DAY:%Y-%m-%d}")

    assert [s.timestamp for s in ws.snapshots()] == [datetime(2026, 3, 2)] * 2 + [
        datetime(2026, 3, 3),
        datetime(2026, 3, 4),
    ]
    series = ws.series()
    assert [v for _, v in series["Volume"]["decisions"]] == [40, 60, 50]
    assert [t for t, _ in series["Volume"]["decisions"]] == [datetime(2026, 3, d) for d in (2, 3, 4)]
    assert [v for _, v in series["Safeguarding hand-offs"]["hand-offs"]] == [1, 3, 0]
    assert [v for _, v in series["Automation"]["automation rate"]] == pytest.approx([0.5, 0.5, 0.5])
    assert [v for _, v in series["Accuracy: measured and estimated"]["measured accuracy"]] == [1.0, 1.0, 1.0]
    assert [v for _, v in series["Accuracy: measured and estimated"]["estimated accuracy (CBPE)"]] == pytest.approx(
        [0.9] * 3
    )
    assert len(series["Drift"]["drifted share"]) == 1


def test_the_same_window_again_replaces_its_snapshot(tmp_path) -> None:
    ws = MonitoringWorkspace(tmp_path / "ws")
    ws.add(quality_snapshot(frame(10), timestamp=DAY), kind="quality", window="w1")
    ws.add(quality_snapshot(frame(20), timestamp=DAY), kind="quality", window="w1")
    ws.add(quality_snapshot(frame(30), timestamp=DAY), kind="quality", window="w2")
    assert [v for _, v in ws.series()["Volume"]["decisions"]] == [20, 30]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # starts the Evidently UI server for a few seconds
def test_the_ui_serves_the_project_on_loopback(tmp_path) -> None:
    MonitoringWorkspace(tmp_path / "ws").add(quality_snapshot(frame(10), timestamp=DAY), kind="quality", window="w")
    port = _free_port()
    command = [sys.executable, "-c", "from monitoring.cli import app; app()", "ui", "--workspace", str(tmp_path / "ws")]
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline, projects = time.monotonic() + 60, None
        while time.monotonic() < deadline and projects is None:
            if server.poll() is not None:
                pytest.fail(f"the UI exited: {server.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/projects", timeout=2) as response:
                    projects = json.loads(response.read())
            except OSError:
                time.sleep(0.5)
        assert projects is not None, "the UI did not answer within 60 s"
        assert [p["name"] for p in projects] == [PROJECT_NAME]
    finally:
        server.terminate()
        server.wait(timeout=10)
