"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from serve.admin import admin_router
from serve.limits import BodySizeLimitMiddleware
from serve.metrics import MetricsMiddleware, ServiceMetrics
from serve.routes import health_router, v1_router
from serve.runtime import ModelSource, Runtime
from serve.settings import ServeSettings, get_serve_settings
from triage import __version__
from triage.decision_log import UnknownDecisionError
from triage.errors import DataError, ModelNotFoundError, TriageError
from triage.router import ServingModel

logger = logging.getLogger("triage.serve")


def registry_source(settings: ServeSettings) -> ModelSource:
    """Models from the MLflow registry (imported lazily: MLflow is slow to import)."""

    def load(uri: str) -> Callable[[], ServingModel]:
        def _load() -> ServingModel:
            from training.registry import load_model

            loaded = load_model(settings, uri)
            return ServingModel(model=loaded.model, version=loaded.version)

        return _load

    def probe() -> str:
        from training.registry import resolve_version, use_tracking

        version = resolve_version(use_tracking(settings), settings.model_uri)
        return f"{version.name}/{version.version}"

    is_registry = settings.model_uri.startswith("models:/")
    return ModelSource(
        load=load(settings.model_uri),
        probe=probe if is_registry else None,
        shadow=load(settings.shadow_model_uri) if settings.shadow_model_uri else None,
    )


def create_app(
    settings: ServeSettings | None = None,
    *,
    model_loader: Callable[[], ServingModel] | None = None,
    source: ModelSource | None = None,
) -> FastAPI:
    """Build the service. ``source`` (or just ``model_loader``) replaces the registry, e.g. in tests."""
    settings = settings or get_serve_settings()
    settings.check()
    if source is None:
        source = ModelSource(load=model_loader) if model_loader is not None else registry_source(settings)
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings=settings, source=source, metrics=metrics)
        runtime.start()
        app.state.runtime = runtime
        logger.info("serving model %s from %s", runtime.serving.version, settings.model_uri)
        try:
            yield
        finally:
            runtime.stop()

    app = FastAPI(
        title="Contact triage",
        version=__version__,
        description=(
            "Routes each contact to a self-service answer or the right human queue, with calibrated confidence "
            "and plain-English reasons. Every decision is stored (redacted) before it is returned."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.include_router(health_router)
    app.include_router(v1_router)
    app.include_router(admin_router)
    _add_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    status_for = {UnknownDecisionError: 404, DataError: 422, ModelNotFoundError: 503}

    @app.exception_handler(TriageError)
    async def triage_error(_request: Request, exc: TriageError) -> JSONResponse:
        code = next((c for kind, c in status_for.items() if isinstance(exc, kind)), 400)
        return JSONResponse(status_code=code, content={"detail": str(exc), "error": type(exc).__name__})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems)
        return JSONResponse(status_code=422, content={"detail": f"Invalid request: {summary}", "errors": problems})
