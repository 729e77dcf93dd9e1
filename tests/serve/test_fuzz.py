"""Schema-driven fuzzing: schemathesis generates requests from the service's own /openapi.json.

No generated request may produce a 5xx or a response that violates the schema. Small budget per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from serve.app import create_app
from serve.settings import ServeSettings
from triage.router import ServingModel

ADMIN_KEY = "fuzz-admin"


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory, fitted_model) -> Iterator:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        ServeSettings(
            db_url=f"sqlite:///{folder}/decisions.db",
            dev_mode=True,
            admin_keys=f"fuzzer={ADMIN_KEY}",
            max_text_chars=2000,
        ),
        model_loader=lambda: ServingModel(fitted_model, "fuzz/1"),
    )
    with TestClient(app):  # runs the lifespan: the model is loaded for every generated call
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors_and_responses_match_the_schema(api_schema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        fuzz_operation(operation)


def fuzz_operation(operation) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"} if operation.path.startswith("/v1/admin") else None

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers)

    fuzz()
