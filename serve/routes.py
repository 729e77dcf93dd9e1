"""HTTP routes: thin handlers that validate, call the router, and shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel

from serve.auth import check_api_key
from serve.runtime import Runtime
from triage.schemas import Contact, Decision


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

health_router = APIRouter(tags=["health"])
v1_router = APIRouter(prefix="/v1", tags=["routing"])


class Health(BaseModel):
    status: str


class ModelInfo(BaseModel):
    model_uri: str
    model_version: str
    model_type: str
    trained_at: str
    n_train: int
    labels: int
    temperature: float | None
    policy_version: str
    policy: dict[str, Any]
    taxonomy: dict[str, Any]
    validation_metrics: dict[str, Any]


@health_router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Liveness: the process is up."""
    return Health(status="ok")


@v1_router.post(
    "/route",
    response_model=Decision,
    dependencies=[Depends(check_api_key)],
    responses={401: {"description": "Missing API key"}, 403: {"description": "Wrong API key"}},
)
def route_contact(contact: Contact, runtime: RuntimeDep, request: Request) -> Decision:
    """Decide where one contact goes. The decision is in the decision log before this returns."""
    limit = request.app.state.settings.max_text_chars
    if len(contact.text) > limit:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            detail=f"text has {len(contact.text)} characters; the limit is {limit}. Send a shorter extract.",
        )
    return runtime.router.route([contact])[0]


@v1_router.get("/model", response_model=ModelInfo)
def model_info(runtime: RuntimeDep) -> ModelInfo:
    """The model and policy in use: versions, thresholds, taxonomy."""
    serving = runtime.serving
    model = serving.model
    taxonomy = model.taxonomy
    return ModelInfo(
        model_uri=runtime.model_uri,
        model_version=serving.version,
        model_type=model.card.model_type,
        trained_at=model.card.trained_at.isoformat(),
        n_train=model.card.n_train,
        labels=len(model.classes),
        temperature=model.card.temperature,
        policy_version=model.policy.version,
        policy=model.policy.model_dump(mode="json"),
        taxonomy={
            "name": taxonomy.name,
            "version": taxonomy.version,
            "fingerprint": taxonomy.fingerprint,
            "intents": len(taxonomy.intents),
        },
        validation_metrics=model.card.validation_metrics,
    )
