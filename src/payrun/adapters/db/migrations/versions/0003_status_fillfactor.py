"""employee status pages keep room for in-place (HOT) updates on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:55:00

Each employee's status row is updated about nine times in a run (one per step), none of them
touching an indexed column. PostgreSQL can then write the new row version on the same page
without new index entries (a heap-only tuple), but only if the page has room: at the default
fill factor of 100 a page of freshly inserted statuses has none, so every update moves the row
and adds an entry to both indexes. A fill factor of 50 leaves half of each page for updates.
SQLite has no fill factor: nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FILL_FACTOR = 50


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE employee_status SET (fillfactor = {FILL_FACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE employee_status RESET (fillfactor)")
