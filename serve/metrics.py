"""Prometheus metrics for the service: requests, latency, routes, accepted share, errors, batch sizes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from triage.schemas import Decision

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class ServiceMetrics:
    """A registry of its own per app, so several apps (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "triage_http_requests", "HTTP requests by path and status", ["path", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "triage_http_request_seconds", "Request latency", ["path"], buckets=LATENCY_BUCKETS, registry=self.registry
        )
        self.errors = Counter(
            "triage_http_errors", "Responses with status >= 400", ["path", "status"], registry=self.registry
        )
        self.decisions = Counter(
            "triage_decisions",
            "Decisions by route, accepted and rule",
            ["route", "accepted", "rule"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "triage_batch_size",
            "Contacts per model call",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.model_info = Gauge(
            "triage_model_info", "The model version being served", ["version"], registry=self.registry
        )

    def observe_decisions(self, decisions: Sequence[Decision]) -> None:
        self.batch_size.observe(len(decisions))
        for d in decisions:
            self.decisions.labels(d.route, str(d.accepted).lower(), d.rule.split(":")[0]).inc()

    def set_model(self, version: str) -> None:
        self.model_info.clear()
        self.model_info.labels(version).set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)


_KNOWN_PATHS = (
    "/v1/route/batch",
    "/v1/route",
    "/v1/feedback",
    "/v1/model",
    "/v1/admin",
    "/healthz",
    "/readyz",
    "/metrics",
)


def path_label(path: str) -> str:
    """A bounded label set: unknown paths collapse to 'other'."""
    return next((p for p in _KNOWN_PATHS if path.startswith(p)), "other")


class MetricsMiddleware:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware) counting requests and timing them."""

    def __init__(self, app: Any, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            path = path_label(scope.get("path", ""))
            code = str(status["code"])
            self.metrics.requests.labels(path, code).inc()
            self.metrics.latency.labels(path).observe(time.perf_counter() - start)
            if status["code"] >= 400:
                self.metrics.errors.labels(path, code).inc()
