"""attendance version: a meeting's attendance is versioned apart from the meeting

Saving the attendance and editing the meeting no longer make each other's open form stale: the
attendance form carries attendance_version, the meeting form version. Meetings start at 1.

Revision ID: d4a7e1f2b3c9
Revises: c8d2e3f4a5b6
Create Date: 2026-12-04 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7e1f2b3c9'
down_revision = 'c8d2e3f4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('attendance_version')
