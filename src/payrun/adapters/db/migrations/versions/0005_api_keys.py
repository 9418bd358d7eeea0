"""API keys, idempotency of API requests, audit request id / outcome, employee termination

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 17:20:00

`api_keys` holds only a slow (Argon2id) hash of each key and its public prefix, by which a
request's key is found. `api_requests` keeps, per key and Idempotency-Key header, the hash of
the body first sent and what it started, so a repeat returns the same result and another body
with the same key is refused. Audit records gain the request id and outcome of the API call.
Employees gain `terminated_on`: a pay run pays a terminated employee through the period that
holds that day, and not after.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("employer_ids", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "api_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("api_key_id", sa.Integer, sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("api_key_id", "action", "idempotency_key", name="uq_api_request"),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("request_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(16), nullable=True))
    op.create_index("ix_audit_log_subject", "audit_log", ["action", "subject"])
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("terminated_on", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("terminated_on")
    op.drop_index("ix_audit_log_subject", "audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("outcome")
        batch.drop_column("request_id")
    op.drop_table("api_requests")
    op.drop_table("api_keys")
