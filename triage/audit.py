"""A tamper-evident audit trail: rows of a table form a hash chain that `triage audit verify` checks.

Each row stores ``prev_hash`` (the previous row's hash) and ``record_hash`` = SHA-256 of ``prev_hash``
plus the canonical JSON of every other column. A ``chain_heads`` row per chain remembers the last hash,
so deleting the newest rows is caught too. Appends lock the head row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite transactions start ``IMMEDIATE``), so concurrent writers never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.engine import Connection, Engine

GENESIS = "0" * 64
HASH_COLUMNS = ("prev_hash", "record_hash")


def chain_columns() -> list[Column]:
    return [Column("prev_hash", String(64), nullable=False), Column("record_hash", String(64), nullable=False)]


def chain_heads_table(metadata: MetaData) -> Table:
    return Table(
        "chain_heads",
        metadata,
        Column("name", String(64), primary_key=True),
        Column("last_hash", String(64), nullable=False),
        Column("length", Integer, nullable=False),
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def record_hash(prev_hash: str, row: dict[str, Any], *, skip: Sequence[str] = ()) -> str:
    """SHA-256 over the previous hash and the row's content (chain and ``skip`` columns excluded)."""
    content = {k: _canonical(v) for k, v in row.items() if k not in HASH_COLUMNS and k not in skip}
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class HashChain:
    """Appends rows to ``table`` as one chain named ``name``; ``skip`` columns (auto ids) are not hashed."""

    def __init__(self, *, table: Table, heads: Table, name: str, order_column: str, skip: Sequence[str] = ()) -> None:
        self.table = table
        self.heads = heads
        self.name = name
        self.order_column = order_column
        self.skip = tuple(skip)

    def append(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert ``rows`` in order inside the caller's transaction; returns them with their hashes."""
        head = conn.execute(
            select(self.heads.c.last_hash, self.heads.c.length).where(self.heads.c.name == self.name).with_for_update()
        ).first()
        prev = head.last_hash if head else GENESIS
        chained = []
        for row in rows:
            digest = record_hash(prev, row, skip=self.skip)
            chained.append({**row, "prev_hash": prev, "record_hash": digest})
            prev = digest
        conn.execute(insert(self.table), chained)
        length = (head.length if head else 0) + len(rows)
        if head is None:
            conn.execute(insert(self.heads).values(name=self.name, last_hash=prev, length=length))
        else:
            conn.execute(update(self.heads).where(self.heads.c.name == self.name).values(last_hash=prev, length=length))
        return chained

    def verify(self, engine: Engine, *, key_column: str) -> ChainReport:
        """Walk the chain in order; report the first row where it breaks, and how."""
        with engine.connect() as conn:
            rows = [
                dict(r) for r in conn.execute(select(self.table).order_by(self.table.c[self.order_column])).mappings()
            ]
            head = conn.execute(
                select(self.heads.c.last_hash, self.heads.c.length).where(self.heads.c.name == self.name)
            ).first()
        stored_hashes = {row["record_hash"]: i for i, row in enumerate(rows)}
        prev = GENESIS
        for index, row in enumerate(rows):
            where = {"position": index, "key": str(row.get(key_column)), self.order_column: row.get(self.order_column)}
            if row["prev_hash"] != prev:
                if row["prev_hash"] in stored_hashes:
                    return ChainReport(
                        chain=self.name,
                        ok=False,
                        rows=len(rows),
                        problem="reordered",
                        **where,
                        detail="this record follows a different record than the one before it",
                    )
                return ChainReport(
                    chain=self.name,
                    ok=False,
                    rows=len(rows),
                    problem="deleted",
                    **where,
                    detail="the record this one was chained to is missing",
                )
            if record_hash(prev, row, skip=self.skip) != row["record_hash"]:
                return ChainReport(
                    chain=self.name,
                    ok=False,
                    rows=len(rows),
                    problem="edited",
                    **where,
                    detail="the record's content no longer matches its hash",
                )
            prev = row["record_hash"]
        expected_length = head.length if head else 0
        if (head.last_hash if head else GENESIS) != prev or expected_length != len(rows):
            return ChainReport(
                chain=self.name,
                ok=False,
                rows=len(rows),
                problem="deleted",
                position=len(rows),
                detail=f"the chain should hold {expected_length} records; the newest are missing",
            )
        return ChainReport(chain=self.name, ok=True, rows=len(rows))


class ChainReport(BaseModel):
    """The result of verifying one chain."""

    chain: str
    ok: bool
    rows: int
    problem: str | None = None
    position: int | None = None
    key: str | None = None
    seq: int | None = None
    id: int | None = None
    detail: str | None = None
