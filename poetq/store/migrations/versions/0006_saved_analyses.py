"""named analyses saved with their study

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 02:45:00
"""

import sqlalchemy as sa
from alembic import op

import poetq.store.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("response_ids", sa.JSON(), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("poetq_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", poetq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", poetq.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"],
                                name=op.f("fk_saved_analyses_study_id_studies"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_analyses")),
        sa.UniqueConstraint("study_id", "name", name=op.f("uq_saved_analyses_study_id")),
    )
    with op.batch_alter_table("saved_analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_analyses_study_id"), ["study_id"], unique=False)


def downgrade() -> None:
    op.drop_table("saved_analyses")
