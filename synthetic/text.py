"""Text built from pieces: plain text that styling may change, and personal data it must never touch.

A contact is assembled from :class:`Piece` objects. Channel styling, vocabulary changes and typos
only rewrite plain pieces, so the character spans of personal data stay exact in the final text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.!?;:])")


@dataclass(frozen=True)
class Piece:
    """A run of text; ``pii`` names its personal-data type, ``None`` for plain text."""

    text: str
    pii: str | None = None


Sentence = list[Piece]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str

    def as_dict(self) -> dict[str, int | str]:
        return {"start": self.start, "end": self.end, "type": self.type}


def map_plain(pieces: Iterable[Piece], fn: Callable[[str], str]) -> list[Piece]:
    """Apply ``fn`` to every plain piece; personal data passes through unchanged."""
    return [p if p.pii else Piece(fn(p.text)) for p in pieces]


def plain(text: str) -> Piece:
    return Piece(text)


def tidy(text: str) -> str:
    """Collapse runs of spaces and remove spaces before punctuation (newlines are kept)."""
    text = _SPACES.sub(" ", text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def join(sentences: Sequence[Sentence], separator: str) -> list[Piece]:
    """Sentences joined by a plain separator."""
    out: list[Piece] = []
    for i, sentence in enumerate(sentences):
        if i:
            out.append(Piece(separator))
        out.extend(sentence)
    return out


def sentence_text(sentence: Sequence[Piece]) -> str:
    return "".join(p.text for p in sentence)


def assemble(pieces: Sequence[Piece]) -> tuple[str, list[Span]]:
    """The final text and the spans of its personal data.

    Plain pieces are tidied (spaces collapsed, no space before punctuation, no doubled spaces at
    piece boundaries, no leading or trailing whitespace); personal-data pieces are copied verbatim.
    """
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    for piece in pieces:
        if piece.pii:
            value = piece.text
            spans.append(Span(length, length + len(value), piece.pii))
        else:
            value = tidy(piece.text)
            previous = parts[-1] if parts else ""
            if not parts or previous[-1:].isspace():
                value = value.lstrip(" ") if parts else value.lstrip()
            if value[:1] in {",", ".", "!", "?", ";", ":"} and previous.endswith(" "):
                parts[-1] = previous.rstrip(" ")
                length -= len(previous) - len(parts[-1])
            if not value:
                continue
        parts.append(value)
        length += len(value)
    text = "".join(parts)
    stripped = text.rstrip()
    # Leading whitespace never survives (first plain piece is left-stripped); trailing is cut here.
    return stripped, [s for s in spans if s.end <= len(stripped)]
