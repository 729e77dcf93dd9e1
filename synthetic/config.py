"""The generator's settings: shares of each kind of contact, channel mix, intent weights, noise."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from synthetic.channels import CHANNELS
from triage.errors import DataError

DEFAULT_CHANNEL_MIX = {"web": 0.35, "email": 0.25, "chat": 0.2, "phone": 0.2}

_SHARES = (
    "pii_share",
    "welsh_share",
    "mixed_language_share",
    "vulnerable_share",
    "human_request_share",
    "lookalike_share",
    "assisted_digital_share",
    "second_topic_share",
    "detail_share",
    "typo_rate",
    "term_rate",
)


class GeneratorConfig(BaseModel):
    """What share of contacts carry each feature. Every share is a probability in [0, 1].

    ``intent_weights`` maps intent names (taxonomy intents, or ``emerging_*`` intents from
    ``synthetic/data/emerging.yaml``) to relative volumes; ``None`` uses the built-in council
    volumes. ``label_map`` relabels intents (concept drift); ``term_map`` replaces words in the
    English text with probability ``term_rate`` (vocabulary shift).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pii_share: float = 0.35
    welsh_share: float = 0.06
    mixed_language_share: float = 0.25
    vulnerable_share: float = 0.08
    human_request_share: float = 0.07
    lookalike_share: float = 0.03
    assisted_digital_share: float = 0.05
    second_topic_share: float = 0.35
    detail_share: float = 0.65
    typo_rate: float = 0.02
    channel_mix: dict[str, float] = DEFAULT_CHANNEL_MIX
    intent_weights: dict[str, float] | None = None
    label_map: dict[str, str] = {}
    term_map: dict[str, str] = {}
    term_rate: float = 0.0

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
            raise DataError(f"Invalid generator config: {problems}. Allowed fields: {', '.join(_fields())}.") from exc

    @model_validator(mode="after")
    def _check(self) -> GeneratorConfig:
        bad = [f"{name}={getattr(self, name)}" for name in _SHARES if not 0.0 <= getattr(self, name) <= 1.0]
        if bad:
            raise DataError(f"Shares must be between 0 and 1; got {', '.join(bad)}.")
        unknown = sorted(set(self.channel_mix) - set(CHANNELS))
        if unknown:
            raise DataError(f"Unknown channel(s) {', '.join(unknown)} in channel_mix; allowed: {', '.join(CHANNELS)}.")
        if any(not 0.0 <= v <= 1.0 for v in self.channel_mix.values()) or sum(self.channel_mix.values()) <= 0:
            raise DataError("channel_mix shares must each be between 0 and 1 and not all zero.")
        if self.intent_weights is not None:
            from synthetic.families import load_catalogue

            allowed = load_catalogue().all_intents
            unknown = sorted(set(self.intent_weights) - set(allowed))
            if unknown:
                raise DataError(
                    f"Unknown intent(s) in intent_weights: {', '.join(unknown)}; allowed: {', '.join(allowed)}."
                )
            if any(v < 0 for v in self.intent_weights.values()) or sum(self.intent_weights.values()) <= 0:
                raise DataError("intent_weights must be non-negative and not all zero.")
        return self


def _fields() -> list[str]:
    return list(GeneratorConfig.model_fields)
