"""Service settings from the environment (prefix ``TRIAGE_``), built by a factory, checked at start-up."""

from __future__ import annotations

from pydantic import Field

from triage.config import CoreSettings
from triage.errors import ConfigError


class ServeSettings(CoreSettings):
    """Everything the service needs; unsafe combinations fail at start-up, not at first request."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    dev_mode: bool = Field(default=False, description="Allow running with no API keys (local development only).")
    api_keys: str = Field(default="", description="Comma-separated keys for /v1/route and /v1/feedback.")
    max_text_chars: int = Field(default=10_000, ge=1, description="Longest contact text accepted.")

    @property
    def api_key_set(self) -> frozenset[str]:
        return frozenset(key.strip() for key in self.api_keys.split(",") if key.strip())

    def check(self) -> None:
        """Refuse unsafe configurations."""
        if not self.api_key_set and not self.dev_mode:
            raise ConfigError(
                "No API keys configured: set TRIAGE_API_KEYS (comma-separated), or set TRIAGE_DEV_MODE=1 "
                "to run without authentication on a development machine."
            )


def get_serve_settings() -> ServeSettings:
    return ServeSettings()
