"""The shape of an Algorithmic Transparency Recording Standard (ATRS) record, and its validation.

The field list (sections, field numbers, names) is data: ``monitoring/data/atrs_fields.yaml`` records where it
comes from. A record has every field of that list, each either *filled* (by the system, with the sources it
was taken from) or marked :data:`COUNCIL` (only the council can answer it). Figures carry what they were
measured on and where they are kept (an MLflow run metric, or a check over the decision log).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

COUNCIL = "To be completed by the council."
FIELD_LIST_RESOURCE = "atrs_fields.yaml"
Status = Literal["filled", "council"]


class FieldSpec(BaseModel):
    """One field of the published template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    name: str
    ref: str | None = Field(default=None, description="The field's number in published records, e.g. 4.2.7.")
    required: bool
    asks: str = Field(description="What the field asks for, in a few words.")


class SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    tier: str
    fields: list[FieldSpec]


class FieldList(BaseModel):
    """The template's field list and where it was taken from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    standard: str
    version: str
    publisher: str
    sources: list[str]
    retrieved: str
    sections: list[SectionSpec]

    def field_keys(self) -> list[str]:
        return [f.key for s in self.sections for f in s.fields]


@cache
def load_field_list() -> FieldList:
    """The ATRS field list shipped with the package."""
    text = resources.files("monitoring.data").joinpath(FIELD_LIST_RESOURCE).read_text("utf-8")
    return FieldList.model_validate(yaml.safe_load(text))


class FigureSource(BaseModel):
    """Where a figure is kept, so anyone can look it up: a metric of an MLflow run, or a monitoring check."""

    kind: Literal["mlflow_metric", "monitoring_check"]
    run_id: str | None = None
    metric: str | None = None
    window: str | None = None
    condition: str | None = None


class Figure(BaseModel):
    """One measured figure: its value, how it is shown, what it was measured on and where it is kept."""

    key: str
    label: str
    value: float
    shown: str
    rows: str = Field(description="Which rows of the data, e.g. 'the 118 held-out contacts with channel = email'.")
    measured_on: str = Field(description="The data set: where it came from and, for MLflow figures, the run.")
    source: FigureSource


class RecordField(BaseModel):
    """A field of the record: filled by the system, or marked for the council."""

    key: str
    ref: str | None = None
    name: str
    required: bool = True
    status: Status
    text: str
    items: list[str] = Field(default_factory=list, description="Points that follow the text.")
    figures: list[Figure] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="Where the system took the content from.")
    note: str | None = Field(default=None, description="What the council should check or add; what is known.")


class RecordSection(BaseModel):
    key: str
    title: str
    tier: str
    fields: list[RecordField]


class AtrsRecord(BaseModel):
    """A draft ATRS record: what the system knows, and every field only the council can answer marked as such."""

    standard: str
    standard_version: str
    field_list_sources: list[str]
    status: str
    generated_at: datetime
    generated_by: str
    model_uri: str
    model_version: str
    run_id: str | None
    sections: list[RecordSection]

    def field(self, key: str) -> RecordField:
        for section in self.sections:
            for item in section.fields:
                if item.key == key:
                    return item
        raise KeyError(key)

    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for item in section.fields for figure in item.figures]

    def counts(self) -> dict[str, int]:
        fields = [item for section in self.sections for item in section.fields]
        return {
            "fields": len(fields),
            "filled": sum(f.status == "filled" for f in fields),
            "council": sum(f.status == "council" for f in fields),
            "figures": len(self.figures()),
        }


def validate_record(record: AtrsRecord, field_list: FieldList | None = None) -> list[str]:
    """Every problem that keeps ``record`` from matching the field list (empty when it matches).

    Each field of the list must be present once, in its section, with its name and number; a filled field must
    have content and a council field must say exactly :data:`COUNCIL`.
    """
    field_list = field_list or load_field_list()
    problems: list[str] = []
    if record.standard_version != field_list.version:
        problems.append(f"record follows version {record.standard_version}, the field list is {field_list.version}")
    sections = {s.key: s for s in record.sections}
    expected_sections = [s.key for s in field_list.sections]
    for extra in sorted(set(sections) - set(expected_sections)):
        problems.append(f"section {extra!r} is not in the field list")
    for spec in field_list.sections:
        section = sections.get(spec.key)
        if section is None:
            problems.append(f"section {spec.title!r} is missing")
            continue
        present = [f.key for f in section.fields]
        for key in sorted({k for k in present if present.count(k) > 1}):
            problems.append(f"{spec.title}: field {key!r} appears more than once")
        for key in sorted(set(present) - {f.key for f in spec.fields}):
            problems.append(f"{spec.title}: field {key!r} is not in the field list")
        by_key = {f.key: f for f in section.fields}
        for field_spec in spec.fields:
            item = by_key.get(field_spec.key)
            label = f"{spec.title}: {field_spec.ref + ' ' if field_spec.ref else ''}{field_spec.name}"
            if item is None:
                problems.append(f"{label} is missing")
                continue
            if item.name != field_spec.name or item.ref != field_spec.ref:
                problems.append(f"{label} is named {item.ref or ''} {item.name!r} in the record")
            if item.status == "council" and item.text != COUNCIL:
                problems.append(f"{label} is marked for the council but does not say {COUNCIL!r}")
            if item.status == "filled" and (not item.text.strip() or item.text.strip() == COUNCIL):
                problems.append(f"{label} is marked filled but has no content")
    return problems
