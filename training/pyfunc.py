"""The MLflow pyfunc wrapper, so a registered triage model also works with `mlflow models serve`."""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd

from triage.model import TriageModel

ARTIFACT_KEY = "triage_model"


class TriagePyfunc(mlflow.pyfunc.PythonModel):
    """Loads the saved :class:`TriageModel` folder; ``predict`` routes a frame with a ``text`` column."""

    def load_context(self, context: Any) -> None:
        self.model = TriageModel.load(context.artifacts[ARTIFACT_KEY])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        decisions = self.model.decide(model_input["text"].astype(str).tolist())
        return pd.DataFrame([d.model_dump(mode="json") for d in decisions])
