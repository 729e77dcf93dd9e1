"""Small text utilities shared by training, serving and monitoring."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_TOKEN = re.compile(r"[a-zà-ÿŵŷ]+(?:'[a-z]+)?", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters only; redaction placeholders are dropped)."""
    return [token.lower() for token in _TOKEN.findall(_PLACEHOLDER.sub(" ", text))]


def build_vocabulary(texts: Iterable[str], *, min_count: int = 1, max_size: int = 50_000) -> frozenset[str]:
    """The words seen at least ``min_count`` times, most frequent first up to ``max_size``."""
    counts = Counter(token for text in texts for token in tokenize(text))
    return frozenset(word for word, n in counts.most_common(max_size) if n >= min_count)


def oov_rate(text: str, vocabulary: frozenset[str] | set[str]) -> float:
    """Share of a text's words that the training vocabulary has never seen (0 for a text with no words)."""
    tokens = tokenize(text)
    if not tokens:
        return 0.0
    return sum(token not in vocabulary for token in tokens) / len(tokens)
