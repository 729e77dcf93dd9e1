"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from serve.routes import health_router, v1_router
from serve.runtime import ModelLoader, Runtime
from serve.settings import ServeSettings, get_serve_settings
from triage import __version__
from triage.decision_log import DecisionLog, UnknownDecisionError
from triage.errors import DataError, ModelNotFoundError, TriageError
from triage.router import ContactRouter, ServingModel

logger = logging.getLogger("triage.serve")


def registry_loader(settings: ServeSettings) -> ModelLoader:
    """Load ``settings.model_uri`` from the MLflow registry (imported lazily: MLflow is slow to import)."""

    def load() -> ServingModel:
        from training.registry import load_model

        loaded = load_model(settings, settings.model_uri)
        return ServingModel(model=loaded.model, version=loaded.version)

    return load


def create_app(settings: ServeSettings | None = None, *, model_loader: ModelLoader | None = None) -> FastAPI:
    """Build the service. ``model_loader`` replaces the registry (tests inject a model this way)."""
    settings = settings or get_serve_settings()
    settings.check()
    loader = model_loader or registry_loader(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        serving = loader()
        log = DecisionLog(settings.db_url)
        app.state.runtime = Runtime(
            router=ContactRouter(serving=serving, log=log), log=log, model_uri=settings.model_uri
        )
        logger.info("model %s loaded from %s; decision log %s", serving.version, settings.model_uri, settings.db_url)
        try:
            yield
        finally:
            log.close()

    app = FastAPI(
        title="Contact triage",
        version=__version__,
        description="Routes each contact to a self-service answer or the right human queue, with reasons.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(health_router)
    app.include_router(v1_router)
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    status_for = {UnknownDecisionError: 404, DataError: 422, ModelNotFoundError: 503}

    @app.exception_handler(TriageError)
    async def triage_error(_request: Request, exc: TriageError) -> JSONResponse:
        code = next((c for kind, c in status_for.items() if isinstance(exc, kind)), 400)
        return JSONResponse(status_code=code, content={"detail": str(exc), "error": type(exc).__name__})
