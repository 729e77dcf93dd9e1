"""Phrasing families: genuinely different ways to ask for each intent, read from ``synthetic/data``.

Files ``families_*.yaml`` hold, per intent, its relative contact volume (``weight``), short topic
phrases (``topics``, used when another sentence refers back to the need), ``shared`` detail
sentences any family of the intent may add, and its ``families``. A family is one situation or
way of putting the need (``note``), with several ``templates`` for the main ask and optional
``details``. Family ids are ``<intent>/f01``... in file order (``cy01``... for Welsh families).
``emerging.yaml`` holds intents that the taxonomy does not have, used by drift scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from synthetic.resources import data_file_names, load_data
from triage.errors import DataError
from triage.taxonomy import load_taxonomy

LANGUAGES = ("en", "cy")


class Family(BaseModel):
    """One phrasing family of one intent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    intent: str
    language: str
    note: str
    templates: tuple[str, ...] = Field(min_length=1)
    details: tuple[str, ...] = ()


class _RawFamily(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str
    templates: list[str] = Field(min_length=1)
    details: list[str] = []


class _RawIntent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(default=1.0, gt=0)
    topics: list[str] = []
    shared: list[str] = []
    families: list[_RawFamily] = Field(min_length=1)


class _RawFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str
    domain: str = ""
    intents: dict[str, _RawIntent]


class IntentPhrasing(BaseModel):
    """Everything the generator knows about how people ask for one intent in one language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    language: str
    domain: str
    weight: float
    topics: tuple[str, ...]
    shared: tuple[str, ...]
    families: tuple[Family, ...]


@dataclass(frozen=True)
class Catalogue:
    """All phrasing families, by intent and language; ``emerging`` intents are outside the taxonomy."""

    english: dict[str, IntentPhrasing]
    welsh: dict[str, IntentPhrasing]
    emerging: dict[str, IntentPhrasing]
    taxonomy_intents: tuple[str, ...]

    def phrasing(self, intent: str, language: str = "en") -> IntentPhrasing:
        if language == "cy" and intent in self.welsh:
            return self.welsh[intent]
        if intent in self.english:
            return self.english[intent]
        if intent in self.emerging:
            return self.emerging[intent]
        raise DataError(f"No phrasing families for intent {intent!r}. Known intents: {', '.join(self.all_intents)}.")

    @property
    def all_intents(self) -> list[str]:
        return [*self.taxonomy_intents, *self.emerging]

    @property
    def welsh_intents(self) -> list[str]:
        return [name for name in self.taxonomy_intents if name in self.welsh]

    def family_ids(self) -> list[str]:
        groups = [*self.english.values(), *self.welsh.values(), *self.emerging.values()]
        return [family.id for group in groups for family in group.families]


def _parse(name: str) -> _RawFile:
    try:
        return _RawFile.model_validate(load_data(name))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise DataError(f"synthetic/data/{name}.yaml is malformed: {problems}. Fix the file.") from exc


def _phrasings(raw: _RawFile, *, prefix: str, domains: dict[str, str]) -> dict[str, IntentPhrasing]:
    out: dict[str, IntentPhrasing] = {}
    for intent, spec in raw.intents.items():
        families = tuple(
            Family(
                id=f"{intent}/{prefix}{i:02d}",
                intent=intent,
                language=raw.language,
                note=f.note,
                templates=tuple(f.templates),
                details=tuple(f.details),
            )
            for i, f in enumerate(spec.families, start=1)
        )
        out[intent] = IntentPhrasing(
            name=intent,
            language=raw.language,
            domain=raw.domain or domains.get(intent, ""),
            weight=spec.weight,
            topics=tuple(spec.topics),
            shared=tuple(spec.shared),
            families=families,
        )
    return out


@cache
def load_catalogue() -> Catalogue:
    """Every phrasing family, checked against the default taxonomy."""
    taxonomy = tuple(load_taxonomy(None).intent_names)
    english: dict[str, IntentPhrasing] = {}
    welsh_raw: list[_RawFile] = []
    for name in data_file_names():
        if not name.startswith("families_"):
            continue
        raw = _parse(name)
        if raw.language == "cy":
            welsh_raw.append(raw)
            continue
        repeated = sorted(set(raw.intents) & set(english))
        if repeated:
            raise DataError(f"Intents defined in two family files: {', '.join(repeated)}. Keep one definition.")
        english.update(_phrasings(raw, prefix="f", domains={}))
    missing = [name for name in taxonomy if name not in english]
    unknown = sorted(set(english) - set(taxonomy))
    if missing or unknown:
        raise DataError(
            f"Phrasing families must cover exactly the taxonomy intents; missing: {', '.join(missing) or 'none'}; "
            f"not in taxonomy: {', '.join(unknown) or 'none'}. Edit synthetic/data/families_*.yaml."
        )
    domains = {name: spec.domain for name, spec in english.items()}
    welsh: dict[str, IntentPhrasing] = {}
    for raw in welsh_raw:
        welsh.update(_phrasings(raw, prefix="cy", domains=domains))
    stray = sorted(set(welsh) - set(taxonomy))
    if stray:
        raise DataError(f"Welsh families for intents not in the taxonomy: {', '.join(stray)}.")
    emerging = _phrasings(_parse("emerging"), prefix="f", domains={})
    clash = sorted(set(emerging) & set(taxonomy))
    if clash or any(not name.startswith("emerging_") for name in emerging):
        raise DataError("Emerging intents must be named emerging_<name> and must not be taxonomy intents.")
    return Catalogue(english=english, welsh=welsh, emerging=emerging, taxonomy_intents=taxonomy)
