"""The decision log: every routed contact, its decision and later feedback, with personal data redacted.

SQLite (WAL mode) by default; any SQLAlchemy URL (for example PostgreSQL) for shared deployments.
Records are written through :meth:`DecisionLog.record`, which redacts before anything touches the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Engine, make_url

from triage.audit import ChainReport, HashChain, chain_columns, chain_heads_table
from triage.errors import TriageError
from triage.redaction import redact
from triage.schemas import Contact, Decision, DecisionRecord, Feedback

metadata = MetaData()

decisions = Table(
    "decisions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("model_version", String(128), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("intent", String(128)),
    Column("confidence", Float, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("route", String(16), nullable=False),
    Column("queue", String(128)),
    Column("priority", String(16), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("safeguarding_category", String(64)),
    Column("channel", String(32)),
    Column("language", String(8)),
    Column("contact_id", String(128)),
    Column("text_redacted", Text, nullable=False),
    Column("decision", JSON, nullable=False),
    Column("metadata", JSON),
    Column("shadow", JSON),
    *chain_columns(),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(64), ForeignKey("decisions.decision_id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("true_intent", String(128)),
    Column("resolved_by_self_service", Boolean),
    Column("note_redacted", Text),
    *chain_columns(),
)

chain_heads = chain_heads_table(metadata)
decision_chain = HashChain(table=decisions, heads=chain_heads, name="decisions", order_column="seq", skip=["seq"])
feedback_chain = HashChain(table=feedback, heads=chain_heads, name="feedback", order_column="id", skip=["id"])


heartbeats = Table("heartbeats", metadata, Column("id", Integer, primary_key=True), Column("at", DateTime))


class UnknownDecisionError(TriageError):
    """Feedback names a decision the log does not hold."""

    def __init__(self, decision_id: str) -> None:
        self.decision_id = decision_id
        super().__init__(
            f"No decision with decision_id {decision_id!r} in the decision log. "
            "Send the decision_id returned by /v1/route."
        )


def utc_naive(moment: datetime) -> datetime:
    """Times are stored as naive UTC so every backend compares them the same way."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _configure_sqlite(engine: Engine) -> None:
    """WAL mode, a busy timeout, and write-locking transactions (so hash chains never fork)."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_record(
    contact: Contact, decision: Decision, *, now: datetime | None = None, shadow: dict[str, Any] | None = None
) -> DecisionRecord:
    """The stored form of a decision: the text is redacted here, before anything else sees it."""
    return DecisionRecord(
        shadow=shadow,
        decision=decision,
        created_at=now or datetime.now(UTC),
        text_redacted=redact(contact.text),
        channel=contact.channel,
        language=contact.language,
        contact_id=contact.contact_id,
        metadata=contact.metadata,
    )


class DecisionLog:
    """Append-only store of decision records and feedback."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self._is_sqlite = parsed.get_backend_name() == "sqlite"
        if self._is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, future=True)
        if self._is_sqlite:
            _configure_sqlite(self.engine)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def check_writable(self) -> None:
        """Raise if a write transaction cannot be opened (used by the readiness probe)."""
        with self.engine.connect() as conn:
            transaction = conn.begin()
            conn.execute(insert(heartbeats).values(at=utc_naive(datetime.now(UTC))))
            transaction.rollback()

    def write(self, records: Sequence[DecisionRecord]) -> None:
        """Insert records in one transaction: all are stored or none is."""
        if not records:
            return
        rows = [self._row(record) for record in records]
        with self.engine.begin() as conn:
            decision_chain.append(conn, rows)

    @staticmethod
    def _row(record: DecisionRecord) -> dict[str, Any]:
        d = record.decision
        return {
            "decision_id": d.decision_id,
            "created_at": utc_naive(record.created_at),
            "model_version": d.model_version,
            "policy_version": d.policy_version,
            "intent": d.intent,
            "confidence": d.confidence,
            "accepted": d.accepted,
            "route": d.route,
            "queue": d.queue,
            "priority": d.priority,
            "rule": d.rule,
            "safeguarding_category": d.safeguarding.category if d.safeguarding else None,
            "channel": record.channel,
            "language": record.language,
            "contact_id": record.contact_id,
            "text_redacted": record.text_redacted,
            "decision": json.loads(d.model_dump_json()),
            "metadata": record.metadata,
            "shadow": record.shadow,
        }

    def get(self, decision_id: str) -> DecisionRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(decisions).where(decisions.c.decision_id == decision_id)).mappings().first()
        if row is None:
            return None
        return DecisionRecord(
            decision=Decision.model_validate(row["decision"]),
            created_at=row["created_at"].replace(tzinfo=UTC),
            text_redacted=row["text_redacted"],
            channel=row["channel"],
            language=row["language"],
            contact_id=row["contact_id"],
            metadata=row["metadata"],
            shadow=row["shadow"],
        )

    def add_feedback(self, item: Feedback, *, now: datetime | None = None) -> int:
        """Store an agent's disposition; the note is redacted. Raises if the decision is unknown."""
        with self.engine.begin() as conn:
            known = conn.execute(select(decisions.c.seq).where(decisions.c.decision_id == item.decision_id)).first()
            if known is None:
                raise UnknownDecisionError(item.decision_id)
            feedback_chain.append(
                conn,
                [
                    {
                        "decision_id": item.decision_id,
                        "created_at": utc_naive(now or datetime.now(UTC)),
                        "true_intent": item.true_intent,
                        "resolved_by_self_service": item.resolved_by_self_service,
                        "note_redacted": redact(item.note) if item.note else None,
                    }
                ],
            )
            return int(conn.execute(select(func.max(feedback.c.id))).scalar_one())

    def verify(self) -> list[ChainReport]:
        """Check the hash chains of decisions and feedback (see :mod:`triage.audit`)."""
        return [
            decision_chain.verify(self.engine, key_column="decision_id"),
            feedback_chain.verify(self.engine, key_column="id"),
        ]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())

    def read_decisions(self, *, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
        """Decisions in ``[since, until)`` in the order they were made, with the latest feedback joined.

        Columns: the decision columns plus ``true_intent`` and ``resolved_by_self_service`` (null when
        no feedback has arrived).
        """
        latest = (
            select(feedback.c.decision_id, func.max(feedback.c.id).label("fid"))
            .group_by(feedback.c.decision_id)
            .subquery()
        )
        query = (
            select(
                *[
                    c
                    for c in decisions.c
                    if c.name not in ("decision", "metadata", "shadow", "prev_hash", "record_hash")
                ],
                feedback.c.true_intent,
                feedback.c.resolved_by_self_service,
            )
            .select_from(
                decisions.outerjoin(latest, latest.c.decision_id == decisions.c.decision_id).outerjoin(
                    feedback, feedback.c.id == latest.c.fid
                )
            )
            .order_by(decisions.c.seq)
        )
        if since is not None:
            query = query.where(decisions.c.created_at >= utc_naive(since))
        if until is not None:
            query = query.where(decisions.c.created_at < utc_naive(until))
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(query).mappings().all())
        if frame.empty:
            frame = pd.DataFrame(columns=[c.name for c in query.selected_columns])
        return frame
