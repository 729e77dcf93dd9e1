"""Shared plumbing for the Typer commands: one clear error line and a non-zero exit for known errors."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer

from triage.errors import TriageError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_ERROR = 2


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`TriageError` into ``error: <message>`` on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except TriageError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_ERROR) from exc

    return wrapper


def print_json(payload: Any, *, compact: bool = False) -> None:
    text = json.dumps(payload, default=str, ensure_ascii=False, **({} if compact else {"indent": 2}))
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
