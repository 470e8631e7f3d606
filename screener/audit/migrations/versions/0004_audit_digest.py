"""Small audit rows: a screening keeps its input, versions, summary and the SHA-256 of its
result, and with CHOKEPOINT_AUDIT_RESULTS=digest not the result itself (issue #19: a
250-item result is megabytes); rows written before keep their result and no digest.

Revision ID: 0004_audit_digest
Revises: 0003_screening_hits
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_audit_digest"
down_revision = "0003_screening_hits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot drop NOT NULL in place (alembic copies the table there)
    with op.batch_alter_table("cp_screenings") as table:
        table.alter_column("result", existing_type=sa.Text, nullable=True)
        table.add_column(sa.Column("result_sha256", sa.String(64), nullable=True))
        table.add_column(sa.Column("result_bytes", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cp_screenings") as table:
        table.drop_column("result_bytes")
        table.drop_column("result_sha256")
