"""The list store's tables (cp_list_versions, cp_list_entries, cp_adjudications).

`ListStore` created these with `create_all` before alembic managed the schema, so each table
is created only where it is missing: an existing database is adopted as it stands.

Revision ID: 0001_list_store
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_list_store"
down_revision = None
branch_labels = None
depends_on = None


def _exists(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    tz = sa.DateTime(timezone=True)
    if not _exists("cp_list_versions"):
        op.create_table(
            "cp_list_versions",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String, nullable=False),
            sa.Column("format", sa.String, nullable=False),
            sa.Column("source", sa.String, nullable=False),
            sa.Column("published", sa.Date, nullable=True),
            sa.Column("content_hash", sa.String, nullable=False),
            sa.Column("imported_at", tz, nullable=False),
            sa.Column("entries", sa.Integer, nullable=False),
            sa.Column("report", sa.Text, nullable=True),
        )
        op.create_index("ix_cp_list_versions_name", "cp_list_versions", ["name"])
        op.create_index(
            "ix_cp_list_versions_name_hash", "cp_list_versions", ["name", "content_hash"]
        )
    if not _exists("cp_list_entries"):
        op.create_table(
            "cp_list_entries",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(
                "version_id", sa.Integer, sa.ForeignKey("cp_list_versions.id"), nullable=False
            ),
            sa.Column("list_name", sa.String, nullable=False),
            sa.Column("entry_id", sa.String, nullable=False),
            sa.Column("entry_hash", sa.String, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
        )
        op.create_index(
            "ix_cp_list_entries_version_entry", "cp_list_entries", ["version_id", "entry_id"]
        )
        op.create_index(
            "ix_cp_list_entries_name_entry", "cp_list_entries", ["list_name", "entry_id"]
        )
    if not _exists("cp_adjudications"):
        op.create_table(
            "cp_adjudications",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("query_name", sa.String, nullable=False),
            sa.Column("query_normalised", sa.String, nullable=False),
            sa.Column("list_name", sa.String, nullable=False),
            sa.Column("entry_id", sa.String, nullable=False),
            sa.Column("decision", sa.String, nullable=False),
            sa.Column("reviewer", sa.String, nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("entry_hash", sa.String, nullable=True),
            sa.Column("decided_at", tz, nullable=False),
        )
        op.create_index(
            "ix_cp_adjudications_lookup",
            "cp_adjudications",
            ["query_normalised", "list_name", "entry_id"],
        )


def downgrade() -> None:
    op.drop_table("cp_adjudications")
    op.drop_table("cp_list_entries")
    op.drop_table("cp_list_versions")
