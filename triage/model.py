"""A trained triage model: classifier, calibration, taxonomy and policy, saved and loaded as one folder.

The folder is what the MLflow registry stores; this module itself knows nothing of MLflow.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from triage.calibration import IsotonicCalibrator, TemperatureScaler
from triage.classifiers.out_of_scope import OutOfScopeScorer
from triage.errors import ModelNotFoundError
from triage.language import is_welsh
from triage.policy import PolicyConfig, RoutingPolicy
from triage.safeguarding import SafeguardingDetector
from triage.schemas import Decision
from triage.taxonomy import Taxonomy

FORMAT_VERSION = 1


class ModelCard(BaseModel):
    """What a reviewer needs to know about how a model was made."""

    model_type: str
    trained_at: datetime
    n_train: int
    n_validation: int
    n_out_of_scope_examples: int = Field(default=0, description="Rows labelled out-of-scope, used to tune that check.")
    label_counts: dict[str, int]
    dataset_hash: str
    text_column: str = "text"
    label_column: str = "intent"
    temperature: float | None = None
    calibration: str | None = Field(default=None, description="temperature, isotonic or null (uncalibrated).")
    params: dict[str, Any] = Field(default_factory=dict)
    validation_metrics: dict[str, Any] = Field(default_factory=dict)


class TriageModel:
    """Scores texts with calibrated probabilities and routes them with the policy."""

    def __init__(
        self,
        *,
        classifier: Any,
        taxonomy: Taxonomy,
        policy: PolicyConfig,
        card: ModelCard,
        calibrator: TemperatureScaler | IsotonicCalibrator | None = None,
        reference: pd.DataFrame | None = None,
        vocabulary: frozenset[str] = frozenset(),
        safeguarding: SafeguardingDetector | None = None,
        out_of_scope: OutOfScopeScorer | None = None,
    ) -> None:
        self.classifier = classifier
        self.taxonomy = taxonomy
        self.policy = policy
        self.card = card
        self.calibrator = calibrator
        self.reference = reference
        self.vocabulary = vocabulary
        self.safeguarding = safeguarding or SafeguardingDetector()  # rules always run, even untrained
        self.out_of_scope = out_of_scope  # scores how much a text looks like the training data

    @property
    def classes(self) -> np.ndarray:
        return self.classifier.classes_

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, columns in the order of :attr:`classes`."""
        proba = self.classifier.predict_proba(list(texts))
        return self.calibrator.transform(proba) if self.calibrator is not None else proba

    def in_scope_scores(self, texts: Sequence[str], proba: np.ndarray) -> np.ndarray | None:
        """The out-of-scope scorer's in-scope score per text (higher: more like the training data), or None."""
        if self.out_of_scope is None or not len(texts):
            return None
        return self.out_of_scope.score(self.classifier.embed(list(texts)), np.asarray(proba))

    def decide(
        self,
        texts: Sequence[str],
        *,
        model_version: str = "unregistered",
        policy: PolicyConfig | None = None,
        decision_ids: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
    ) -> list[Decision]:
        """Route each text; ``policy`` overrides the stored one (governance controls); ``languages`` are the
        languages the contacts declared, if any (otherwise detected)."""
        texts = list(texts)
        if not texts:
            return []
        return self.decide_from_proba(
            texts,
            self.predict_proba(texts),
            model_version=model_version,
            policy=policy,
            decision_ids=decision_ids,
            languages=languages,
        )

    def decide_from_proba(
        self,
        texts: Sequence[str],
        proba: np.ndarray,
        *,
        model_version: str = "unregistered",
        policy: PolicyConfig | None = None,
        decision_ids: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
        in_scope_scores: np.ndarray | None = None,
    ) -> list[Decision]:
        """Route texts whose calibrated probabilities are already known (safeguarding and language included).

        ``in_scope_scores`` are computed from the texts when not given and the model has an out-of-scope scorer.
        """
        router = RoutingPolicy(taxonomy=self.taxonomy, config=policy or self.policy)
        ids = list(decision_ids) if decision_ids is not None else [new_decision_id() for _ in texts]
        declared = list(languages) if languages is not None else [None] * len(texts)
        signals = self.safeguarding.detect(texts)
        classes = self.classes
        if in_scope_scores is None:
            in_scope_scores = self.in_scope_scores(texts, proba)
        scores = [None] * len(texts) if in_scope_scores is None else [float(v) for v in in_scope_scores]
        return [
            router.decide(
                text,
                classes,
                row,
                decision_id=did,
                model_version=model_version,
                safeguarding=signal,
                welsh=is_welsh(text, language),
                in_scope=score,
            )
            for text, row, did, signal, language, score in zip(
                texts, proba, ids, signals, declared, scores, strict=True
            )
        ]

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(
            {
                "classifier": self.classifier,
                "calibrator": self.calibrator,
                "safeguarding": self.safeguarding,
                "out_of_scope": self.out_of_scope,
            },
            folder / "estimators.joblib",
        )
        (folder / "taxonomy.json").write_text(self.taxonomy.model_dump_json(indent=1, exclude_none=True))
        (folder / "policy.json").write_text(self.policy.model_dump_json(indent=1))
        (folder / "card.json").write_text(self.card.model_dump_json(indent=1))
        (folder / "vocabulary.json").write_text(json.dumps(sorted(self.vocabulary)))
        if self.reference is not None:
            self.reference.to_parquet(folder / "reference.parquet", index=False)
        (folder / "FORMAT").write_text(str(FORMAT_VERSION))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TriageModel:
        folder = Path(folder)
        if not (folder / "estimators.joblib").is_file():
            raise ModelNotFoundError(str(folder), "the folder holds no estimators.joblib")
        estimators = joblib.load(folder / "estimators.joblib")
        reference_path = folder / "reference.parquet"
        return cls(
            classifier=estimators["classifier"],
            calibrator=estimators["calibrator"],
            safeguarding=estimators.get("safeguarding"),
            out_of_scope=estimators.get("out_of_scope"),
            taxonomy=Taxonomy.model_validate_json((folder / "taxonomy.json").read_text()),
            policy=PolicyConfig.model_validate_json((folder / "policy.json").read_text()),
            card=ModelCard.model_validate_json((folder / "card.json").read_text()),
            vocabulary=frozenset(json.loads((folder / "vocabulary.json").read_text())),
            reference=pd.read_parquet(reference_path) if reference_path.is_file() else None,
        )


def new_decision_id() -> str:
    return uuid.uuid4().hex
