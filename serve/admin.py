"""Governance controls (admin key only): effective at once, recorded with who, when, what and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from serve.auth import check_admin_key
from serve.routes import RuntimeDep
from serve.runtime import Runtime
from triage.governance import GovernanceChange, GovernanceControls

Admin = Annotated[str, Depends(check_admin_key)]
ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing admin key"},
    403: {"description": "Not an admin key, or controls disabled"},
    422: {"description": "Invalid request"},
}

UNKNOWN_INTENT: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown intent"}}

admin_router = APIRouter(prefix="/v1/admin", tags=["governance"], responses=ADMIN_RESPONSES)

Reason = Annotated[str, Field(min_length=3, max_length=1000, description="Why: recorded in the audit trail.")]


class KillSwitch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"engaged": True, "reason": "Incident 42: wrong answers"}]}
    )
    engaged: bool = Field(description="true: every contact goes to a person; false: automation resumes.")
    reason: Reason


class IntentAutomation(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"enabled": False, "reason": "New waste contract"}]}
    )
    enabled: bool = Field(description="false: this intent is never automated.")
    reason: Reason


class ThresholdOverride(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"intent": "council_tax_payment", "threshold": 0.9, "reason": "Board review"}]},
    )
    intent: str | None = Field(default=None, description="The intent, or null for the global threshold.")
    threshold: float | None = Field(ge=0.0, le=1.0, description="The new threshold, or null to remove the override.")
    reason: Reason


class ControlsView(BaseModel):
    controls: GovernanceControls
    policy_version: str
    policy: dict[str, Any]
    change: GovernanceChange | None = None


def _view(runtime: Runtime, change: GovernanceChange | None = None) -> ControlsView:
    controls = runtime.refresh_controls()
    policy = runtime.policy()
    return ControlsView(
        controls=controls, policy_version=policy.version, policy=policy.model_dump(mode="json"), change=change
    )


@admin_router.get("/controls", response_model=ControlsView)
def get_controls(runtime: RuntimeDep, _admin: Admin) -> ControlsView:
    """The governance controls in force and the resulting policy."""
    return _view(runtime)


@admin_router.post("/kill-switch", response_model=ControlsView)
def kill_switch(body: KillSwitch, runtime: RuntimeDep, admin: Admin) -> ControlsView:
    """Engage (every contact to a person) or release the kill switch."""
    change = runtime.governance.record(actor=admin, action="kill_switch", value=body.engaged, reason=body.reason)
    return _view(runtime, change)


@admin_router.post("/intents/{intent}/automation", response_model=ControlsView, responses=UNKNOWN_INTENT)
def intent_automation(intent: str, body: IntentAutomation, runtime: RuntimeDep, admin: Admin) -> ControlsView:
    """Switch automation off (or back on) for one intent."""
    _require_known_intent(runtime, intent)
    change = runtime.governance.record(
        actor=admin, action="intent_automation", target=intent, value=body.enabled, reason=body.reason
    )
    return _view(runtime, change)


@admin_router.post("/thresholds", response_model=ControlsView, responses=UNKNOWN_INTENT)
def threshold_override(body: ThresholdOverride, runtime: RuntimeDep, admin: Admin) -> ControlsView:
    """Override the acceptance threshold for one intent or globally (null threshold removes the override)."""
    if body.intent is not None:
        _require_known_intent(runtime, body.intent)
    change = runtime.governance.record(
        actor=admin, action="threshold", target=body.intent or "*", value=body.threshold, reason=body.reason
    )
    return _view(runtime, change)


@admin_router.get("/audit", response_model=list[GovernanceChange])
def audit(
    runtime: RuntimeDep, _admin: Admin, limit: Annotated[int, Query(ge=1, le=10_000)] = 200
) -> list[GovernanceChange]:
    """Governance changes, oldest first: who, when, what, why."""
    return runtime.governance.changes(limit=limit)


def _require_known_intent(runtime: Runtime, intent: str) -> None:
    known = set(map(str, runtime.serving.model.classes))
    if intent not in known:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"Unknown intent {intent!r}: the model knows {len(known)} intents; see GET /v1/model.",
        )
