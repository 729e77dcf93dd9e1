"""Reading the vocabulary data shipped in ``synthetic/data`` (YAML), once per process."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from triage.errors import DataError

DATA_PACKAGE = "synthetic.data"


@cache
def load_data(name: str) -> Any:
    """The parsed YAML file ``synthetic/data/<name>.yaml`` (cached; treat the result as read-only)."""
    try:
        text = resources.files(DATA_PACKAGE).joinpath(f"{name}.yaml").read_text("utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise DataError(
            f"Missing generator data file synthetic/data/{name}.yaml. Reinstall the package (pip install -e .)."
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"Generator data file synthetic/data/{name}.yaml is not valid YAML: {exc}") from exc


def data_file_names() -> list[str]:
    """Names (without ``.yaml``) of every vocabulary file, sorted."""
    folder = resources.files(DATA_PACKAGE)
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))
