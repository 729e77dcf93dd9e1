"""The taxonomy: which intents exist and where each one routes.

A taxonomy is a YAML file. Each intent routes either to **self-service** with an answer
(``id``, ``title``, ``url``, ``text``; optionally a Welsh ``answer_cy``) or to a **human** queue
(``name``, ``priority``). Contacts the policy does not accept go to the ``fallback_queue``.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from triage.errors import TaxonomyError, UnknownTaxonomyLabelWarning

Priority = Literal["urgent", "high", "normal"]
RouteKind = Literal["self_service", "human"]

DEFAULT_TAXONOMY_RESOURCE = "council_taxonomy.yaml"


class Answer(BaseModel):
    """A self-service answer: what the citizen is shown instead of waiting for a person."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    url: str
    text: str


class Queue(BaseModel):
    """A human queue and the priority its contacts get."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    priority: Priority = "normal"


class Intent(BaseModel):
    """One thing a citizen may want, and where it goes when the system is sure of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    route: RouteKind
    answer: Answer | None = None
    answer_cy: Answer | None = None
    queue: Queue | None = None

    @model_validator(mode="after")
    def _route_has_its_target(self) -> Intent:
        if self.route == "self_service" and (self.answer is None or self.queue is not None):
            raise ValueError(f"intent {self.name!r}: route self_service needs an `answer` and no `queue`")
        if self.route == "human" and (self.queue is None or self.answer is not None):
            raise ValueError(f"intent {self.name!r}: route human needs a `queue` and no `answer`")
        return self


class Taxonomy(BaseModel):
    """The full set of intents plus the special queues the policy routes to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    fallback_queue: Queue
    human_request_queue: Queue | None = None
    safeguarding_queue: Queue = Queue(name="safeguarding", priority="urgent")
    welsh_queue: Queue | None = None
    intents: list[Intent] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_are_unique(self) -> Taxonomy:
        names = [intent.name for intent in self.intents]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"intent names must be unique; repeated: {', '.join(duplicates)}")
        return self

    @cached_property
    def _by_name(self) -> dict[str, Intent]:
        return {intent.name: intent for intent in self.intents}

    @property
    def intent_names(self) -> list[str]:
        return [intent.name for intent in self.intents]

    @property
    def person_queue(self) -> Queue:
        """Where explicit requests for a person go."""
        return self.human_request_queue or self.fallback_queue

    @property
    def fingerprint(self) -> str:
        """A short content hash: two taxonomies with the same fingerprint route identically."""
        payload = self.model_dump_json(exclude_none=True).encode()
        return hashlib.sha256(payload).hexdigest()[:12]

    def get(self, name: str) -> Intent | None:
        return self._by_name.get(name)

    def covering(self, labels: Iterable[str]) -> Taxonomy:
        """This taxonomy plus a human intent for every label it lacks (each to a queue of its own name).

        Emits :class:`UnknownTaxonomyLabelWarning` naming the labels that were added.
        """
        missing = sorted({str(label) for label in labels} - set(self._by_name))
        if not missing:
            return self
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        warnings.warn(
            f"{len(missing)} label(s) are not in taxonomy {self.name!r} and will route to a human queue "
            f"of their own name: {shown}. Add them to the taxonomy (--taxonomy) to give them an answer or queue.",
            UnknownTaxonomyLabelWarning,
            stacklevel=2,
        )
        added = [
            Intent(name=label, description="(not in the taxonomy)", route="human", queue=Queue(name=label))
            for label in missing
        ]
        return Taxonomy.model_validate({**self.model_dump(), "intents": [*self.intents, *added]})


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy YAML file; ``None`` gives the default UK local-council taxonomy."""
    try:
        if path is None:
            text = resources.files("triage.data").joinpath(DEFAULT_TAXONOMY_RESOURCE).read_text("utf-8")
            source = f"default taxonomy ({DEFAULT_TAXONOMY_RESOURCE})"
        else:
            text = Path(path).read_text("utf-8")
            source = str(path)
    except OSError as exc:
        raise TaxonomyError(f"Cannot read taxonomy {path}: {exc.strerror}. Pass an existing YAML file.") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"Taxonomy {source} is not valid YAML: {exc}. Fix the file's syntax.") from exc
    if not isinstance(raw, dict):
        raise TaxonomyError(f"Taxonomy {source} must be a YAML mapping with `name`, `version`, `intents`.")
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors())
        raise TaxonomyError(f"Taxonomy {source} is invalid: {problems}.") from exc
