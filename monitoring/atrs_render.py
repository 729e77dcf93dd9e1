"""Write an ATRS record as JSON, Markdown or HTML (Jinja2 templates in ``monitoring/templates``, autoescaped).

The format comes from the file's suffix. Markdown values go through the ``md`` filter (HTML escaped, so text
from a model card or taxonomy cannot inject markup) and table cells through ``cell`` (also escapes ``|``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from monitoring.atrs_schema import AtrsRecord, Figure
from monitoring.html import STYLE, write_text_atomically
from triage.errors import ConfigError

FORMATS = {".json": "json", ".md": "markdown", ".html": "html", ".htm": "html"}
TEMPLATES = {"markdown": "atrs.md.j2", "html": "atrs.html.j2"}


def record_format(path: str | Path) -> str:
    """``json``, ``markdown`` or ``html`` from the suffix of ``path``; a clear error for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"--out {path} should end in .json, .md or .html (the suffix chooses the format).")
    return FORMATS[suffix]


def markdown_text(value: object) -> Markup:
    """Text for Markdown: HTML-escaped, one line per paragraph."""
    return Markup(str(escape("" if value is None else str(value))).replace("&#39;", "'").replace("&#34;", '"'))


def markdown_cell(value: object) -> Markup:
    """Text for a Markdown table cell: as :func:`markdown_text`, on one line, with ``|`` escaped."""
    return Markup(str(markdown_text(value)).replace("\n", " ").replace("|", "\\|"))


def kept_in(figure: Figure) -> str:
    """Where a figure can be looked up (the run or window is in the table's caption)."""
    source = figure.source
    if source.kind == "mlflow_metric":
        return f"metric {source.metric}"
    return f"check {source.condition}" if source.condition else f"{source.metric}"


def by_data(figures: list[Figure]) -> list[tuple[str, list[Figure]]]:
    """The figures grouped by the data they were measured on, in order of first appearance."""
    groups: dict[str, list[Figure]] = {}
    for figure in figures:
        groups.setdefault(figure.measured_on, []).append(figure)
    return list(groups.items())


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitoring", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=markdown_text, cell=markdown_cell, kept_in=kept_in, by_data=by_data)
    return env


def render(record: AtrsRecord, fmt: str) -> str:
    """The record in ``fmt`` (``json``, ``markdown`` or ``html``)."""
    if fmt == "json":
        return json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    template = environment().get_template(TEMPLATES[fmt])
    return template.render(record=record, counts=record.counts(), style=Markup(STYLE))


def write_record(record: AtrsRecord, out: str | Path) -> Path:
    """Write the record to ``out`` in the format its suffix names (no half-written file on failure)."""
    return write_text_atomically(out, render(record, record_format(out)))
