"""Settings shared by the CLI and the service, read from the environment when asked for (never at import)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
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


class NotifySettings(BaseSettings):
    """How alerts from ``triage monitor check`` are delivered (``--notify URL``, ``--email ADDRESS``).

    SMTP settings have the prefix ``TRIAGE_SMTP_``; retry settings ``TRIAGE_NOTIFY_``. Each delivery is tried
    ``notify_attempts`` times, waiting ``notify_backoff_seconds`` before the second try and twice as long before
    each later one (capped at ``notify_backoff_max_seconds``).
    """

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore")

    smtp_host: str | None = Field(default=None, description="SMTP server; --email needs one.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port (587 submission, 465 implicit TLS).")
    smtp_user: str | None = Field(default=None, description="SMTP login name; none: send without logging in.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password (never printed).")
    smtp_from: str = Field(default="triage-alerts@localhost", description="The From address of alert e-mails.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS before sending.")
    smtp_ssl: bool = Field(default=False, description="Connect with implicit TLS (usually port 465).")
    notify_attempts: int = Field(default=4, ge=1, le=20, description="Tries per delivery, the first included.")
    notify_backoff_seconds: float = Field(default=2.0, ge=0.0, description="Wait before the second try.")
    notify_backoff_max_seconds: float = Field(default=60.0, ge=0.0, description="Longest wait between tries.")
    notify_timeout_seconds: float = Field(default=10.0, gt=0.0, description="Timeout of one webhook or SMTP try.")


def get_notify_settings() -> NotifySettings:
    return NotifySettings()
