"""Routing, feedback, model and health endpoints: thin handlers over the runtime."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from serve.auth import check_api_key
from serve.runtime import Runtime
from triage.schemas import Contact, Decision, Feedback


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Caller = Annotated[str, Depends(check_api_key)]
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing API key"},
    403: {"description": "API key not recognised"},
    413: {"description": "Text or body too large"},
    422: {"description": "Invalid request"},
}

health_router = APIRouter(tags=["health"])
v1_router = APIRouter(prefix="/v1", tags=["routing"])

BIN_EXAMPLE = {"text": "My bin was not collected on Tuesday", "channel": "web", "language": "en"}


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    model_version: str | None = None
    problems: list[str] = Field(default_factory=list)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"contacts": [BIN_EXAMPLE]}]})

    contacts: list[Contact] = Field(min_length=1)


class BatchResponse(BaseModel):
    decisions: list[Decision]


class FeedbackReceipt(BaseModel):
    feedback_id: int
    decision_id: str
    status: str = "recorded"


class ModelInfo(BaseModel):
    model_uri: str
    model_version: str
    shadow_model_version: str | None
    model_type: str
    trained_at: str
    n_train: int
    labels: int
    temperature: float | None
    policy_version: str
    policy: dict[str, Any]
    governance: dict[str, Any]
    taxonomy: dict[str, Any]
    validation_metrics: dict[str, Any]


@health_router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Liveness: the process is up."""
    return Health(status="ok")


@health_router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> Any:
    """Readiness: a model is loaded and the decision log is writable."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse(
            status_code=503, content=Readiness(status="starting", problems=["model not loaded"]).model_dump()
        )
    problems = runtime.ready()
    body = Readiness(
        status="ready" if not problems else "not_ready", model_version=runtime.serving.version, problems=problems
    )
    return body if not problems else JSONResponse(status_code=503, content=body.model_dump())


@health_router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latency histogram, routes, accepted share, errors, batch sizes."""
    return Response(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def _check_text_limits(request: Request, contacts: list[Contact]) -> None:
    limit = request.app.state.settings.max_text_chars
    for index, contact in enumerate(contacts):
        if len(contact.text) > limit:
            where = f"contact {index}: " if len(contacts) > 1 else ""
            raise HTTPException(
                413,
                detail=f"{where}text has {len(contact.text)} characters; the limit is {limit}. Send a shorter extract.",
            )


@v1_router.post("/route", response_model=Decision, responses=AUTH_RESPONSES)
async def route_contact(
    contact: Annotated[Contact, Body(openapi_examples={"missed bin": {"value": BIN_EXAMPLE}})],
    runtime: RuntimeDep,
    request: Request,
    _caller: Caller,
) -> Decision:
    """Decide where one contact goes. The decision is in the decision log before this returns."""
    _check_text_limits(request, [contact])
    decisions = await asyncio.wrap_future(runtime.batcher.submit([contact]))
    return decisions[0]


@v1_router.post("/route/batch", response_model=BatchResponse, responses=AUTH_RESPONSES)
async def route_batch(batch: BatchRequest, runtime: RuntimeDep, request: Request, _caller: Caller) -> BatchResponse:
    """Decide where each of several contacts goes (up to TRIAGE_MAX_BATCH_CONTACTS), in order."""
    limit = request.app.state.settings.max_batch_contacts
    if len(batch.contacts) > limit:
        raise HTTPException(
            413,
            detail=f"{len(batch.contacts)} contacts in one call; the limit is {limit}. Split the batch.",
        )
    _check_text_limits(request, batch.contacts)
    decisions = await asyncio.wrap_future(runtime.batcher.submit(batch.contacts))
    return BatchResponse(decisions=decisions)


@v1_router.post(
    "/feedback",
    response_model=FeedbackReceipt,
    status_code=201,
    responses={**AUTH_RESPONSES, 404: {"description": "Unknown decision_id"}},
)
def feedback(item: Feedback, runtime: RuntimeDep, _caller: Caller) -> FeedbackReceipt:
    """Record the agent's final disposition of a routed contact (the note is redacted before storage)."""
    feedback_id = runtime.log.add_feedback(item)
    return FeedbackReceipt(feedback_id=feedback_id, decision_id=item.decision_id)


@v1_router.get("/model", response_model=ModelInfo)
def model_info(runtime: RuntimeDep) -> ModelInfo:
    """The model and policy in use: versions, thresholds (after governance overrides), taxonomy."""
    serving = runtime.serving
    model = serving.model
    taxonomy = model.taxonomy
    policy = runtime.policy()
    shadow = runtime.router.shadow
    return ModelInfo(
        model_uri=runtime.settings.model_uri,
        model_version=serving.version,
        shadow_model_version=shadow.version if shadow else None,
        model_type=model.card.model_type,
        trained_at=model.card.trained_at.isoformat(),
        n_train=model.card.n_train,
        labels=len(model.classes),
        temperature=model.card.temperature,
        policy_version=policy.version,
        policy=policy.model_dump(mode="json"),
        governance=runtime.controls().model_dump(mode="json"),
        taxonomy={
            "name": taxonomy.name,
            "version": taxonomy.version,
            "fingerprint": taxonomy.fingerprint,
            "intents": len(taxonomy.intents),
        },
        validation_metrics=model.card.validation_metrics,
    )
