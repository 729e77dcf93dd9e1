"""Governance controls: a kill switch, per-intent automation switches and threshold overrides.

Every change is an appended record (who, when, what, why); the current controls are the fold of all
changes in order, so the audit trail and the behaviour can never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text, func, select
from sqlalchemy.engine import Engine

from triage.audit import ChainReport, HashChain, chain_columns
from triage.decision_log import chain_heads, metadata, utc_naive
from triage.policy import PolicyConfig

Action = Literal["kill_switch", "intent_automation", "threshold"]

governance_changes = Table(
    "governance_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(128)),
    Column("value", JSON),
    Column("reason", Text, nullable=False),
    *chain_columns(),
)
governance_chain = HashChain(
    table=governance_changes, heads=chain_heads, name="governance", order_column="id", skip=["id"]
)


class GovernanceChange(BaseModel):
    """One recorded change to the controls."""

    id: int | None = None
    at: datetime
    actor: str
    action: Action
    target: str | None = None
    value: Any = None
    reason: str


class GovernanceControls(BaseModel):
    """The controls in force; applied on top of the model's own policy."""

    automation_enabled: bool = True
    disabled_intents: frozenset[str] = Field(default_factory=frozenset)
    threshold_overrides: dict[str, float] = Field(default_factory=dict, description="intent (or '*') -> threshold")
    last_change_id: int = 0

    def apply(self, policy: PolicyConfig) -> PolicyConfig:
        """The model's policy with these controls laid over it (a new policy version when anything differs)."""
        if self == GovernanceControls(last_change_id=self.last_change_id):
            return policy
        overrides = dict(self.threshold_overrides)
        update: dict[str, Any] = {
            "automation_enabled": policy.automation_enabled and self.automation_enabled,
            "disabled_intents": frozenset(policy.disabled_intents | self.disabled_intents),
            "intent_thresholds": {**policy.intent_thresholds, **{k: v for k, v in overrides.items() if k != "*"}},
        }
        if "*" in overrides:
            update["acceptance_threshold"] = overrides["*"]
        return policy.model_copy(update=update)

    def with_change(self, change: GovernanceChange) -> GovernanceControls:
        data = self.model_dump()
        if change.action == "kill_switch":
            data["automation_enabled"] = not bool(change.value)
        elif change.action == "intent_automation" and change.target:
            disabled = set(self.disabled_intents)
            (disabled.discard if change.value else disabled.add)(change.target)
            data["disabled_intents"] = frozenset(disabled)
        elif change.action == "threshold" and change.target:
            overrides = dict(self.threshold_overrides)
            if change.value is None:
                overrides.pop(change.target, None)
            else:
                overrides[change.target] = float(change.value)
            data["threshold_overrides"] = overrides
        data["last_change_id"] = change.id or self.last_change_id
        return GovernanceControls.model_validate(data)


class GovernanceStore:
    """Reads and appends governance changes in the decision-log database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[chain_heads, governance_changes])

    def record(
        self, *, actor: str, action: Action, reason: str, target: str | None = None, value: Any = None
    ) -> GovernanceChange:
        at = datetime.now(UTC)
        row = {
            "at": utc_naive(at),
            "actor": actor,
            "action": action,
            "target": target,
            "value": value,
            "reason": reason,
        }
        with self.engine.begin() as conn:
            governance_chain.append(conn, [row])
            change_id = int(conn.execute(select(func.max(governance_changes.c.id))).scalar_one())
        return GovernanceChange(
            id=change_id, at=at, actor=actor, action=action, target=target, value=value, reason=reason
        )

    def changes(self, *, limit: int | None = None) -> list[GovernanceChange]:
        """Changes oldest first (the last ``limit`` when given)."""
        query = select(governance_changes).order_by(governance_changes.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            GovernanceChange(
                **{k: v for k, v in row.items() if k not in ("prev_hash", "record_hash", "at")},
                at=row["at"].replace(tzinfo=UTC),
            )
            for row in reversed(rows)
        ]

    def verify(self) -> ChainReport:
        """Check the governance changes' hash chain."""
        return governance_chain.verify(self.engine, key_column="id")

    def controls(self) -> GovernanceControls:
        controls = GovernanceControls()
        for change in self.changes():
            controls = controls.with_change(change)
        return controls
