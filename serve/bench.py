"""`triage bench serve`: the service under load from a separate process, beside the bare model's throughput.

Starts the service on a free loopback port, drives it over HTTP with a closed-loop load generator in
another process, then measures the same model's batched throughput in-process, and prints both.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from triage.config import CoreSettings
from triage.errors import TriageError
from triage.model import TriageModel

BENCH_KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sample_texts(model: TriageModel, n: int = 2000) -> list[str]:
    """Realistic texts to send: the model's own held-out reference sample (already redacted)."""
    if model.reference is None or model.reference.empty:
        raise TriageError("The model has no reference sample to benchmark with; pass --data PATH of contacts.")
    texts = model.reference["text"].astype(str).tolist()
    return (texts * (n // len(texts) + 1))[:n]


def bare_model_rps(model: TriageModel, texts: list[str], *, batch_size: int, duration: float) -> float:
    """Contacts per second through ``TriageModel.decide`` in batches, in this process."""
    model.decide(texts[:batch_size])  # warm-up
    done, start, i = 0, time.perf_counter(), 0
    while time.perf_counter() - start < duration:
        batch = [texts[(i + k) % len(texts)] for k in range(batch_size)]
        i += batch_size
        model.decide(batch)
        done += batch_size
    return done / (time.perf_counter() - start)


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise TriageError(f"The service exited with code {process.returncode} before it was ready; see its log.")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TriageError(f"The service was not ready within {timeout:.0f} s.")


def run_bench(
    *,
    settings: CoreSettings,
    model: TriageModel,
    texts: list[str],
    concurrency: int,
    duration: float,
    batch_size: int = 64,
    move_champion: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Serve, load, measure; ``move_champion=(name, version)`` moves @champion half-way through the run."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts))
        env = {
            **os.environ,
            "TRIAGE_API_KEYS": BENCH_KEY,
            "TRIAGE_DB_URL": f"sqlite:///{tmp}/bench-decisions.db",
            "TRIAGE_MODEL_URI": settings.model_uri,
            "MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
            "TRIAGE_MODEL_POLL_SECONDS": "1",
            "TRIAGE_BATCH_MAX_SIZE": str(batch_size),
        }
        log_path = Path(tmp) / "service.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "serve.asgi:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_ready(url, server)
                mover = None
                if move_champion is not None:
                    mover = threading.Timer(duration / 2, _move_champion, args=(settings, *move_champion))
                    mover.start()
                load = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "serve.loadgen",
                        "--url",
                        url,
                        "--texts",
                        str(texts_file),
                        "--concurrency",
                        str(concurrency),
                        "--duration",
                        str(duration),
                        "--api-key",
                        BENCH_KEY,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if mover is not None:
                    mover.join()
                if load.returncode != 0:
                    raise TriageError(f"The load generator failed: {load.stderr.strip().splitlines()[-1:]}")
                result = json.loads(load.stdout)
            finally:
                server.terminate()
                server.wait(timeout=30)
        service_log = log_path.read_text()
    bare = bare_model_rps(model, texts, batch_size=batch_size, duration=min(duration, 15.0))
    result.update(
        {
            "concurrency": concurrency,
            "duration_s": duration,
            "bare_model_rps": round(bare, 1),
            "ratio": round(result["throughput_rps"] / bare, 3) if bare else None,
            "version_changes_logged": [line for line in service_log.splitlines() if "model version changed" in line],
        }
    )
    return result


def _move_champion(settings: CoreSettings, name: str, version: str) -> None:
    from training.registry import CHAMPION, use_tracking

    use_tracking(settings).set_registered_model_alias(name, CHAMPION, version)
