"""Settings shared by the CLI and the service, read from the environment when asked for (never at import)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TRACKING_URI = "sqlite:///mlflow/mlflow.db"


class CoreSettings(BaseSettings):
    """Where models and decisions live. Every field can be set by an environment variable."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore", populate_by_name=True)

    mlflow_tracking_uri: str = Field(
        default=DEFAULT_TRACKING_URI,
        validation_alias=AliasChoices("MLFLOW_TRACKING_URI", "TRIAGE_MLFLOW_TRACKING_URI", "mlflow_tracking_uri"),
        description="MLflow tracking store (models and runs).",
    )
    artifact_root: str = Field(
        default="mlflow/artifacts",
        description="Artifact folder for new experiments when the tracking store is a local SQLite file.",
    )
    experiment: str = Field(default="triage", description="MLflow experiment for training runs.")
    model_uri: str = Field(default="models:/triage@champion", description="The model the service and CLI use.")
    db_url: str = Field(default="sqlite:///var/decisions.db", description="The decision log (SQLAlchemy URL).")


def get_core_settings() -> CoreSettings:
    return CoreSettings()
