"""Pydantic models at the core's boundaries: a contact in, a decision out, a record stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from triage.taxonomy import Answer, Priority, RouteKind

MetadataValue = str | int | float | bool | None


class Contact(BaseModel):
    """One incoming contact: a web form, email, chat or call transcript."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "My bin was not collected on Tuesday", "channel": "web", "language": "en", "contact_id": "W-1"}
            ]
        },
    )

    text: str = Field(
        min_length=1,
        description="What the citizen wrote or said (at least one non-space character).",
        json_schema_extra={"pattern": r"\S"},
        examples=["My bin was not collected on Tuesday"],
    )
    channel: str | None = Field(default=None, max_length=32, description="web, email, chat, phone, ...")
    language: str | None = Field(default=None, max_length=8, description="ISO 639-1 code when known: en, cy.")
    contact_id: str | None = Field(default=None, max_length=128, description="The caller's own reference.")
    metadata: dict[str, MetadataValue] | None = Field(default=None, description="Flat key/value context.")

    @field_validator("text")
    @classmethod
    def _text_has_content(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace; send the contact's words")
        return value

    @model_validator(mode="after")
    def _strings_are_valid_unicode(self) -> Contact:
        for name in ("text", "channel", "language", "contact_id"):
            value = getattr(self, name)
            if value is not None and not is_encodable(value):
                raise ValueError(f"{name} contains invalid Unicode (an unpaired surrogate); send valid UTF-8 text")
        for key, value in (self.metadata or {}).items():
            if not is_encodable(key) or (isinstance(value, str) and not is_encodable(value)):
                raise ValueError("metadata contains invalid Unicode (an unpaired surrogate); send valid UTF-8 text")
        return self


def is_encodable(value: str) -> bool:
    """False for strings that cannot be stored as UTF-8 (lone surrogates from JSON escapes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Alternative(BaseModel):
    """A candidate intent and its calibrated confidence."""

    intent: str
    confidence: float = Field(ge=0.0, le=1.0)


class Safeguarding(BaseModel):
    """Why a contact was treated as possibly coming from someone vulnerable."""

    category: str
    reason: str


class Decision(BaseModel):
    """Where one contact goes, and why."""

    decision_id: str
    intent: str | None = Field(description="The most likely intent (also set when not accepted).")
    confidence: float = Field(ge=0.0, le=1.0, description="Calibrated probability of `intent`.")
    accepted: bool = Field(description="True when the policy trusted the intent enough to act on it.")
    route: RouteKind
    queue: str | None = Field(description="The human queue, or null for self-service.")
    priority: Priority
    answer: Answer | None = Field(description="The self-service answer, or null.")
    alternatives: list[Alternative] = Field(description="Top 3 intents with confidences.")
    reasons: list[str] = Field(description="Plain-English reasons for the route.")
    rule: str = Field(description="The rule that decided: accepted, below_threshold, ambiguous, human_request, ...")
    safeguarding: Safeguarding | None = Field(default=None, description="{category, reason} when it fired.")
    language: str | None = Field(default=None, description="Detected language: en or cy.")
    model_version: str
    policy_version: str


class DecisionRecord(BaseModel):
    """A decision as stored in the decision log: redacted text, context and the decision itself."""

    decision: Decision
    created_at: datetime
    text_redacted: str
    channel: str | None = None
    language: str | None = None
    contact_id: str | None = None
    metadata: dict[str, Any] | None = None
    shadow: dict[str, Any] | None = Field(default=None, description="The shadow (challenger) model's decision.")


class Feedback(BaseModel):
    """An agent's final disposition of a routed contact."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "decision_id": "3f2b9c0e5d8a4e7f9a1b2c3d4e5f6a7b",
                    "true_intent": "missed_bin_collection",
                    "resolved_by_self_service": True,
                    "note": "Resident confirmed the crew returned.",
                }
            ]
        },
    )

    decision_id: str = Field(min_length=1, max_length=64)
    true_intent: str | None = Field(default=None, max_length=128, description="The intent the agent found.")
    resolved_by_self_service: bool | None = Field(default=None)
    note: str | None = Field(default=None, max_length=2000, description="Free text; redacted before storage.")

    @model_validator(mode="after")
    def _strings_are_valid_unicode(self) -> Feedback:
        for name in ("decision_id", "true_intent", "note"):
            value = getattr(self, name)
            if value is not None and not is_encodable(value):
                raise ValueError(f"{name} contains invalid Unicode (an unpaired surrogate); send valid UTF-8 text")
        return self


Outcome = Literal["self_service_correct", "self_service_wrong", "human"]
