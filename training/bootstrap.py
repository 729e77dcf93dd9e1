"""`triage bootstrap`: make a fresh machine useful: synthetic data, a trained model, a champion.

Does nothing when the registered model already has a champion (unless forced).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.fit import FitOptions
from training.promote import promote
from training.registry import CHAMPION, resolve_version, use_tracking
from training.train import train
from triage.classifiers import DEFAULT_MODEL_TYPE
from triage.config import CoreSettings
from triage.errors import ModelNotFoundError

DEFAULT_DATA_DIR = Path("data/generated")
DEFAULT_N = 12_000
DEFAULT_SEED = 7


@dataclass(frozen=True)
class BootstrapResult:
    created: bool
    champion: str
    data: str | None
    validation: dict[str, Any] | None

    def summary(self) -> dict[str, Any]:
        return {"created": self.created, "champion": self.champion, "data": self.data, "validation": self.validation}


def has_champion(settings: CoreSettings, name: str) -> str | None:
    client = use_tracking(settings)
    try:
        return str(resolve_version(client, f"models:/{name}@{CHAMPION}").version)
    except ModelNotFoundError:
        return None


def write_default_data(folder: Path, *, n: int, seed: int) -> dict[str, Path]:
    """Generate the default synthetic contacts and their held-out-family splits as CSV files."""
    from synthetic.generator import generate_contacts
    from synthetic.splits import split_by_family

    folder.mkdir(parents=True, exist_ok=True)
    frame = generate_contacts(n, seed)
    paths = {"all": folder / "contacts.csv"}
    frame.to_csv(paths["all"], index=False)
    for name, part in split_by_family(frame, seed=seed).items():
        paths[name] = folder / f"contacts_{name}.csv"
        part.to_csv(paths[name], index=False)
    return paths


def bootstrap(
    *,
    settings: CoreSettings,
    registered_name: str = "triage",
    data_dir: Path = DEFAULT_DATA_DIR,
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    model_type: str = DEFAULT_MODEL_TYPE,
    force: bool = False,
) -> BootstrapResult:
    existing = has_champion(settings, registered_name)
    if existing is not None and not force:
        return BootstrapResult(False, f"{registered_name}/{existing}", None, None)
    paths = write_default_data(data_dir, n=n, seed=seed)
    outcome = train(
        data=paths["train"],
        validation_path=paths["validation"],
        settings=settings,
        options=FitOptions(model_type=model_type, seed=seed),
        registered_name=registered_name,
        data_description=(
            f"synthetic contacts written by this project's generator with `triage synth generate --n {n} --seed {seed} "
            "--split`, phrasing families held out between splits; not real citizen contacts"
        ),
    )
    promote(
        settings=settings,
        registered_name=registered_name,
        data=paths["test"],
        force=force and existing is not None,
        reason="bootstrap --force" if force else None,
    )
    return BootstrapResult(
        True, f"{registered_name}/{outcome.version}", str(paths["all"]), outcome.summary()["validation"]
    )
