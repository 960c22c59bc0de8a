"""meetings say what their source does not: a kind may be unknown, openness may be unstated, a
date may be estimated; and when the secretariat was reminded that a past meeting is still 開催予定

Revision ID: e5f6a7b8c9d0
Revises: a3b4c5d6e7f8
Create Date: 2026-12-05 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'a3b4c5d6e7f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=14), nullable=True)
        batch_op.add_column(sa.Column('date_estimated', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('public_stated', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('not_held_reminded_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.execute("UPDATE meeting SET kind = 'regular' WHERE kind IS NULL")
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('not_held_reminded_at')
        batch_op.drop_column('public_stated')
        batch_op.drop_column('date_estimated')
        batch_op.alter_column('kind', existing_type=sa.String(length=14), nullable=False)
