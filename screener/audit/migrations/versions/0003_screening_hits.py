"""One row per party hit of a stored screening, so the review queue can find the hits
waiting for a reviewer's decision without reading every stored result.

Rows of screenings stored before this revision are filled in from their stored results.

Revision ID: 0003_screening_hits
Revises: 0002_audit
Create Date: 2026-12-04
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003_screening_hits"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

_PAGE = 500


def upgrade() -> None:
    hits = op.create_table(
        "cp_screening_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("cp_screenings.id"), nullable=False),
        sa.Column("hit_index", sa.Integer, nullable=False),
        sa.Column("query_name", sa.Text, nullable=False),
        sa.Column("list_name", sa.String, nullable=False),
        sa.Column("entry_id", sa.String, nullable=False),
        sa.Column("band", sa.String, nullable=False),
    )
    op.create_index("ix_cp_screening_hits_screening", "cp_screening_hits", ["screening_id"])
    op.create_index("ix_cp_screening_hits_entry", "cp_screening_hits", ["list_name", "entry_id"])
    # the screenings already stored: their hits, read from the result, a page at a time
    conn = op.get_bind()
    screenings = sa.table(
        "cp_screenings", sa.column("id", sa.Integer), sa.column("result", sa.Text)
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(screenings.c.id, screenings.c.result)
            .where(screenings.c.id > last)
            .order_by(screenings.c.id)
            .limit(_PAGE)
        ).all()
        found = [
            {
                "screening_id": sid,
                "hit_index": i,
                "query_name": hit["query"],
                "list_name": hit["list_version"].split("@", 1)[0],
                "entry_id": hit["entry_id"],
                "band": hit["band"],
            }
            for sid, text in rows
            for i, hit in enumerate(json.loads(text).get("party_hits", []))
        ]
        if found:
            conn.execute(sa.insert(hits), found)
        if len(rows) < _PAGE:
            break
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("cp_screening_hits")
