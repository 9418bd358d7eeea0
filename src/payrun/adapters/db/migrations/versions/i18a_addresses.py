"""postal addresses of employers and employees, for pay stubs and payroll receipts

Revision ID: i18a
Revises: 0005b
Create Date: 2026-12-04 17:10:00

California Labor Code 226(a)(8) puts the employer's name and address on every wage statement,
and a mailed stub needs the employee's. Plain nullable columns (the state is the employer's
`state` and the employee's `home_state`), so the rows written before this revision stay valid
and a stub shows "address not on file" for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i18a"
down_revision = "0005b"
branch_labels = None
depends_on = None

COLUMNS = (("address_street", 120), ("address_city", 60), ("address_postal_code", 10))


def upgrade() -> None:
    for table in ("employers", "employees"):
        for name, length in COLUMNS:
            op.add_column(table, sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    for table in ("employers", "employees"):
        for name, _ in COLUMNS:
            op.drop_column(table, name)
