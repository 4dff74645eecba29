"""the respondent's rate limit kept in the response row (one write per step)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("step_tat", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("step_tat")
