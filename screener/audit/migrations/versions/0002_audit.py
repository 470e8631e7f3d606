"""The audit trail (screenings with their verdicts and findings), API keys, batch jobs.

Revision ID: 0002_audit
Revises: 0001_list_store
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_audit"
down_revision = "0001_list_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "cp_api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("prefix", sa.String, nullable=False),
        sa.Column("key_hash", sa.String, nullable=False, unique=True),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("revoked_at", tz, nullable=True),
    )
    op.create_table(
        "cp_screenings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("screened_at", tz, nullable=False),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("requested_by", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("transaction_id", sa.String, nullable=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("decision", sa.String, nullable=False),
        sa.Column("engine", sa.String, nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index("ix_cp_screenings_screened_at", "cp_screenings", ["screened_at"])
    op.create_index("ix_cp_screenings_transaction_id", "cp_screenings", ["transaction_id"])
    op.create_table(
        "cp_screening_verdicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("cp_screenings.id"), nullable=False),
        sa.Column("jurisdiction", sa.String, nullable=False),
        sa.Column("decision", sa.String, nullable=False),
    )
    op.create_index("ix_cp_screening_verdicts_screening", "cp_screening_verdicts", ["screening_id"])
    op.create_table(
        "cp_screening_findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("cp_screenings.id"), nullable=False),
        sa.Column("jurisdiction", sa.String, nullable=False),
        sa.Column("rule_id", sa.String, nullable=False),
        sa.Column("outcome", sa.String, nullable=False),
        sa.Column("decisive", sa.Boolean, nullable=False),
    )
    op.create_index("ix_cp_screening_findings_screening", "cp_screening_findings", ["screening_id"])
    op.create_index("ix_cp_screening_findings_rule", "cp_screening_findings", ["rule_id"])
    op.create_table(
        "cp_batch_jobs",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("input_name", sa.String, nullable=False),
        sa.Column("input_path", sa.String, nullable=False),
        sa.Column("output_path", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("total_lines", sa.Integer, nullable=False),
        sa.Column("done_lines", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("updated_at", tz, nullable=False),
        sa.Column("finished_at", tz, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cp_batch_jobs")
    op.drop_table("cp_screening_findings")
    op.drop_table("cp_screening_verdicts")
    op.drop_table("cp_screenings")
    op.drop_table("cp_api_keys")
