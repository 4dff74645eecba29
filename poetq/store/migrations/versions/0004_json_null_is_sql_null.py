"""unfinished responses keep SQL NULL, never JSON null, in sort and piles

A restore before this revision inserted Python None into the JSON columns as the JSON text
``null``, which ``sort IS NOT NULL`` took for a finished sort.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 02:30:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cast = "::text" if op.get_bind().dialect.name == "postgresql" else ""
    for column in ("sort", "piles"):
        op.execute(f"UPDATE responses SET {column} = NULL WHERE {column}{cast} = 'null'")


def downgrade() -> None:
    pass  # SQL NULL is what the older code meant too
