"""ASGI entry point for process managers: ``uvicorn serve.asgi:app`` (settings from the environment)."""

from __future__ import annotations

from serve.app import create_app

app = create_app()
