"""MLflow tracking and the model registry: log runs, register versions, move aliases, load models."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from training.pyfunc import ARTIFACT_KEY, TriagePyfunc
from triage.config import CoreSettings
from triage.errors import ModelNotFoundError
from triage.model import TriageModel

CHALLENGER = "challenger"
CHAMPION = "champion"
MODEL_ARTIFACT = "model"


@dataclass(frozen=True)
class LoadedModel:
    """A model and the registry coordinates it came from."""

    model: TriageModel
    uri: str
    version: str  # e.g. "triage/3"; shown in every decision
    registered_name: str | None = None
    registry_version: str | None = None


def use_tracking(settings: CoreSettings) -> MlflowClient:
    """Point MLflow at the configured store (creating the local SQLite folder) and return a client."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    uri = settings.mlflow_tracking_uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def ensure_experiment(settings: CoreSettings, client: MlflowClient) -> str:
    """The training experiment's id; a local store gets its artifacts under ``settings.artifact_root``."""
    existing = client.get_experiment_by_name(settings.experiment)
    if existing is not None:
        return existing.experiment_id
    location = None
    if settings.mlflow_tracking_uri.startswith("sqlite:"):
        location = Path(settings.artifact_root).resolve().as_uri()
    return client.create_experiment(settings.experiment, artifact_location=location)


def log_model(model: TriageModel) -> str:
    """Log the model to the active run as a pyfunc model; returns its URI (not yet registered)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = model.save(Path(tmp) / ARTIFACT_KEY)
        info = mlflow.pyfunc.log_model(
            name=MODEL_ARTIFACT,
            python_model=TriagePyfunc(),
            artifacts={ARTIFACT_KEY: str(folder)},
            pip_requirements=["contact-triage"],
        )
    return info.model_uri


def register(client: MlflowClient, model_uri: str, name: str, *, tags: Mapping[str, str]) -> ModelVersion:
    """Register ``model_uri`` as a new version of ``name`` and point ``challenger`` at it."""
    version = mlflow.register_model(model_uri, name, tags=dict(tags))
    client.set_registered_model_alias(name, CHALLENGER, version.version)
    return version


def parse_registry_uri(uri: str) -> tuple[str, str | None, str | None]:
    """``models:/name@alias`` -> (name, alias, None); ``models:/name/3`` -> (name, None, "3")."""
    body = uri.removeprefix("models:/")
    if "@" in body:
        name, alias = body.split("@", 1)
        return name, alias, None
    name, _, version = body.partition("/")
    return name, None, version or None


def resolve_version(client: MlflowClient, uri: str) -> ModelVersion:
    """The registry version a ``models:/`` URI points to, or :class:`ModelNotFoundError`."""
    name, alias, number = parse_registry_uri(uri)
    try:
        if alias is not None:
            return client.get_model_version_by_alias(name, alias)
        if number is None:
            raise ModelNotFoundError(uri, "name a version or alias, e.g. models:/triage@champion")
        return client.get_model_version(name, number)
    except MlflowException as exc:
        raise ModelNotFoundError(uri, _first_line(exc)) from exc


def load_model(settings: CoreSettings, uri: str | None = None) -> LoadedModel:
    """Load a model from ``models:/...``, ``runs:/...`` or a local folder, with no network access."""
    uri = uri or settings.model_uri
    if uri.startswith("models:/"):
        version = resolve_version(use_tracking(settings), uri)
        folder = _download(f"models:/{version.name}/{version.version}")
        return LoadedModel(
            model=TriageModel.load(folder),
            uri=uri,
            version=f"{version.name}/{version.version}",
            registered_name=version.name,
            registry_version=str(version.version),
        )
    if uri.startswith("runs:/"):
        use_tracking(settings)
        return LoadedModel(model=TriageModel.load(_download(uri)), uri=uri, version=uri)
    path = Path(uri)
    if path.is_dir():
        folder = path / "artifacts" / ARTIFACT_KEY if (path / "artifacts" / ARTIFACT_KEY).is_dir() else path
        return LoadedModel(model=TriageModel.load(folder), uri=uri, version=f"local:{path.name}")
    raise ModelNotFoundError(uri, "expected models:/NAME@ALIAS, models:/NAME/VERSION, runs:/... or a folder")


def _download(uri: str) -> Path:
    try:
        root = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    except (MlflowException, OSError) as exc:
        raise ModelNotFoundError(uri, _first_line(exc)) from exc
    folder = root / "artifacts" / ARTIFACT_KEY
    if not folder.is_dir():
        raise ModelNotFoundError(uri, "it is not a triage model (no artifacts/triage_model folder)")
    return folder


def version_tags(client: MlflowClient, name: str, version: str) -> dict[str, Any]:
    return dict(client.get_model_version(name, version).tags)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
