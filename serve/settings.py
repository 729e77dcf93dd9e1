"""Service settings from the environment (prefix ``TRIAGE_``), built by a factory, checked at start-up."""

from __future__ import annotations

import hashlib

from pydantic import Field

from triage.config import CoreSettings
from triage.errors import ConfigError


def parse_keys(raw: str) -> dict[str, str]:
    """``"name=key,key2"`` -> ``{key: name}``; unnamed keys get a name from their hash (never the key)."""
    keys: dict[str, str] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, key = item.partition("=")
        if not sep:
            name, key = f"key-{hashlib.sha256(item.encode()).hexdigest()[:8]}", item
        keys[key.strip()] = name.strip()
    return keys


class ServeSettings(CoreSettings):
    """Everything the service needs; unsafe combinations fail at start-up, not at first request."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    dev_mode: bool = Field(default=False, description="Allow running with no API keys (local development only).")
    api_keys: str = Field(default="", description="Keys for route and feedback: 'key' or 'name=key', comma-separated.")
    admin_keys: str = Field(default="", description="Keys for governance controls, same format.")
    max_text_chars: int = Field(default=10_000, ge=1, description="Longest contact text accepted.")
    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="Largest request body accepted.")
    max_batch_contacts: int = Field(default=100, ge=1, description="Most contacts in one /v1/route/batch call.")
    batch_max_size: int = Field(default=64, ge=1, description="Most contacts the micro-batcher scores at once.")
    batch_wait_ms: float = Field(default=2.0, ge=0.0, description="How long the batcher waits to fill a batch.")
    model_poll_seconds: float = Field(default=10.0, ge=0.0, description="Registry check for a new champion; 0 = off.")
    controls_refresh_seconds: float = Field(default=1.0, ge=0.0, description="Re-read governance controls.")
    shadow_model_uri: str | None = Field(
        default=None, description="A model scored beside each decision, e.g. @challenger."
    )

    @property
    def api_key_names(self) -> dict[str, str]:
        return parse_keys(self.api_keys)

    @property
    def admin_key_names(self) -> dict[str, str]:
        return parse_keys(self.admin_keys)

    @property
    def api_key_set(self) -> frozenset[str]:
        return frozenset(self.api_key_names)

    def check(self) -> None:
        """Refuse unsafe configurations."""
        if not self.api_key_names and not self.dev_mode:
            raise ConfigError(
                "No API keys configured: set TRIAGE_API_KEYS (comma-separated), or set TRIAGE_DEV_MODE=1 "
                "to run without authentication on a development machine."
            )


def get_serve_settings() -> ServeSettings:
    return ServeSettings()
