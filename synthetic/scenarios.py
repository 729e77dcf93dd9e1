"""Drift scenarios: named, parameterised changes to the contact mix from a change day onwards.

Each scenario is a function from the normal generator settings to the drifted ones (``progress``
runs from just above 0 on the change day to 1 on the last day, for gradual changes). Its docstring
says what changes and which statistic shows it; ``synthetic.drift_checks`` computes those statistics
and ``tests/synthetic`` checks each one, and that the ``none`` control shows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from synthetic.channels import CHANNELS
from synthetic.config import GeneratorConfig
from synthetic.families import load_catalogue
from synthetic.resources import load_data
from triage.errors import DataError

Params = dict[str, Any]
DriftFn = Callable[[GeneratorConfig, Params, float], GeneratorConfig]


def _with(config: GeneratorConfig, **changes: Any) -> GeneratorConfig:
    return GeneratorConfig(**{**config.model_dump(), **changes})


def _volumes(config: GeneratorConfig) -> dict[str, float]:
    if config.intent_weights is not None:
        return dict(config.intent_weights)
    catalogue = load_catalogue()
    return {name: catalogue.english[name].weight for name in catalogue.taxonomy_intents}


def _share(params: Params, key: str) -> float:
    value = float(params[key])
    if not 0.0 <= value <= 1.0:
        raise DataError(f"Parameter {key}={value} must be a share between 0 and 1.")
    return value


def _intents(text: str) -> list[str]:
    names = [name.strip() for name in str(text).split(",") if name.strip()]
    known = load_catalogue().taxonomy_intents
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise DataError(f"Unknown intent(s) {', '.join(unknown) or '(none given)'}; allowed: {', '.join(known)}.")
    return names


def none(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """Control: nothing changes after the change day.

    Test: none of the other scenarios' statistics differ between the periods (all p > 0.01).
    """
    return config


def seasonal_mix(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """Annual bills land in March: council-tax intents surge by ``factor`` (default 4).

    Params: ``intents`` (comma-separated, default the bill-related council-tax intents), ``factor``.
    Test: chi-square on the share of those intents before vs after (p < 0.001), and on the intent mix.
    """
    factor = float(params["factor"])
    if factor <= 0:
        raise DataError(f"Parameter factor={factor} must be above 0.")
    volumes = _volumes(config)
    for name in _intents(params["intents"]):
        volumes[name] = volumes.get(name, 0.0) * factor
    return _with(config, intent_weights=volumes)


@cache
def emerging_names() -> tuple[str, ...]:
    return tuple(name.removeprefix("emerging_") for name in load_catalogue().emerging)


def emerging_intent(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """A need the taxonomy does not have appears: a new scheme people ask about.

    Params: ``name`` (``garden_waste_permit``: permits for taking garden waste to the tip, or
    ``energy_grant``: a cost-of-living energy grant), ``share`` of contacts after the change (0.15).
    Labels are ``emerging_<name>``, not in the taxonomy. Test: share of labels outside the taxonomy is
    0 before and near ``share`` after (Fisher exact p < 0.001).
    """
    name = str(params["name"])
    if name not in emerging_names():
        raise DataError(f"Unknown emerging intent {name!r}; allowed: {', '.join(emerging_names())}.")
    share = _share(params, "share")
    if share >= 1:
        raise DataError("Parameter share must be below 1 for emerging_intent.")
    volumes = _volumes(config)
    total = sum(volumes.values())
    volumes[f"emerging_{name}"] = share * total / (1 - share)
    return _with(config, intent_weights=volumes)


@cache
def vocabulary_terms() -> dict[str, str]:
    return dict(load_data("drift")["vocabulary_shift"])


def vocabulary_shift(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """The council rebrands services (recycling becomes "ClearCycle", the library the "Hwb"...) and
    residents adopt the new names (``synthetic/data/drift.yaml``).

    Params: ``rate``, the chance each old term is replaced (0.9). Test: the share of contacts using a
    new word that many contacts use (unseen before the change) rises (Fisher exact p < 0.001), the
    per-contact share of unseen words rises, and the new names appear only after the change.
    """
    return _with(config, term_map=vocabulary_terms(), term_rate=_share(params, "rate"))


def channel_shift(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """Contacts move toward one channel (phone transcripts by default), e.g. after a website outage.

    Params: ``channel`` (web, email, chat, phone), ``share`` it takes after the change (0.6).
    Test: chi-square on the channel mix before vs after (p < 0.001).
    """
    channel = str(params["channel"])
    if channel not in CHANNELS:
        raise DataError(f"Unknown channel {channel!r}; allowed: {', '.join(CHANNELS)}.")
    share = _share(params, "share")
    others = {c: w for c, w in config.channel_mix.items() if c != channel}
    rest = sum(others.values()) or 1.0
    mix = {c: (1 - share) * w / rest for c, w in others.items()}
    mix[channel] = share
    return _with(config, channel_mix=mix)


def typo_rise(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """Spelling mistakes rise steadily from the normal rate to ``to_rate`` (0.15 per word) by the last
    day, e.g. after a form loses its spell-checker.

    Test: the per-contact typo rate (share of words outside the generator's lexicon) is higher after the
    change (Mann-Whitney p < 0.001) and rises with the day within the drifted period (Spearman rho > 0).
    """
    target = _share(params, "to_rate")
    rate = config.typo_rate + (target - config.typo_rate) * progress
    return _with(config, typo_rate=rate)


def more_welsh(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """More contacts arrive in Welsh (e.g. a Welsh-language campaign). Params: ``share`` (0.3).

    Test: chi-square on the share of ``language == "cy"`` before vs after (p < 0.001).
    """
    return _with(config, welsh_share=_share(params, "share"))


def concept_drift(config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
    """A policy change alters what an intent means: garden waste becomes part of the general bin
    service, so garden-waste contacts now belong to ``bin_collection_day``. The texts do not change;
    their true label does.

    Params: ``from_intent`` (garden_waste_subscription), ``to_intent`` (bin_collection_day).
    Test: rows from ``from_intent`` families carry ``from_intent`` before and ``to_intent`` after;
    other rows keep their labels. The meta file records the label mapping.
    """
    source, target = _intents(params["from_intent"])[0], _intents(params["to_intent"])[0]
    if source == target:
        raise DataError("from_intent and to_intent must differ for concept_drift.")
    return _with(config, label_map={**config.label_map, source: target})


@dataclass(frozen=True)
class Scenario:
    """A named drift scenario, its default parameters and what it changes."""

    name: str
    drift: DriftFn
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        doc = self.drift.__doc__ or ""
        return " ".join(doc.split("\n\n")[0].split())

    def params(self, given: Mapping[str, Any] | None = None) -> Params:
        """Defaults overridden by ``given`` (values converted to the defaults' types)."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            allowed = ", ".join(f"{k} (default {v})" for k, v in self.defaults.items()) or "none"
            raise DataError(f"Scenario {self.name!r} has no parameter {', '.join(unknown)}; allowed: {allowed}.")
        out: Params = dict(self.defaults)
        for key, value in given.items():
            kind = type(self.defaults[key])
            try:
                out[key] = kind(value)
            except (TypeError, ValueError):
                raise DataError(f"Parameter {key}={value!r} must be a {kind.__name__}.") from None
        return out

    def apply(self, config: GeneratorConfig, params: Params, progress: float) -> GeneratorConfig:
        return self.drift(config, params, progress)

    def changes(self, config: GeneratorConfig, params: Params) -> dict[str, Any]:
        """What the drifted settings change, for the meta file."""
        drifted = self.apply(config, params, 1.0).model_dump()
        before = config.model_dump()
        return {key: value for key, value in drifted.items() if value != before[key]}


SCENARIOS: dict[str, Scenario] = {
    "none": Scenario("none", none),
    "seasonal_mix": Scenario(
        "seasonal_mix",
        seasonal_mix,
        {"intents": "council_tax_payment,council_tax_discount,council_tax_arrears,council_tax_band", "factor": 4.0},
    ),
    "emerging_intent": Scenario("emerging_intent", emerging_intent, {"name": "garden_waste_permit", "share": 0.15}),
    "vocabulary_shift": Scenario("vocabulary_shift", vocabulary_shift, {"rate": 0.9}),
    "channel_shift": Scenario("channel_shift", channel_shift, {"channel": "phone", "share": 0.6}),
    "typo_rise": Scenario("typo_rise", typo_rise, {"to_rate": 0.15}),
    "more_welsh": Scenario("more_welsh", more_welsh, {"share": 0.3}),
    "concept_drift": Scenario(
        "concept_drift", concept_drift, {"from_intent": "garden_waste_subscription", "to_intent": "bin_collection_day"}
    ),
}


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise DataError(f"Unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}.") from None
