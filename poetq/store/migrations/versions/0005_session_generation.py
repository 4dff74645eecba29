"""researchers' session generation: sign-out, password change and disabling end sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 02:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("researchers") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("researchers") as batch:
        batch.drop_column("session_generation")
