"""The project's exception tree.

Every error raised on purpose is a :class:`TriageError`. Messages name the problem and the fix;
only ``serve/`` maps these to HTTP status codes and only the CLI maps them to exit codes.
"""

from __future__ import annotations


class TriageError(Exception):
    """Root of every deliberate error in the project."""


class TriageWarning(UserWarning):
    """Root of the project's own warnings (tests turn them into errors unless expected)."""


class DataError(TriageError):
    """Input data cannot be used: unreadable file, missing column, empty texts, too few examples."""


class TaxonomyError(TriageError):
    """A taxonomy file is missing, unreadable or inconsistent."""


class ModelNotFoundError(TriageError):
    """A model URI or registered model does not resolve to a model."""

    def __init__(self, uri: str, detail: str = "") -> None:
        self.uri = uri
        hint = (
            "Check the URI (for example models:/triage@champion), run `triage train` to register a model, "
            "or set MLFLOW_TRACKING_URI to the store that holds it."
        )
        super().__init__(f"No model at {uri!r}{': ' + detail if detail else ''}. {hint}")


class UnknownModelTypeError(TriageError):
    """A classifier name that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"Unknown model {name!r}. Choose one of: {', '.join(sorted(known))}.")


class PromotionRefused(TriageError):
    """The challenger is worse than the champion beyond the tolerance."""


class ConfigError(TriageError):
    """A setting is missing or unsafe."""


class UnknownTaxonomyLabelWarning(TriageWarning):
    """Training labels that the taxonomy does not define (routed to a human queue of their own name)."""
