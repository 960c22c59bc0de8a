"""edit versions: a version on every row an edit form changes

Two people saving the same row from forms read at the same version can no longer both succeed:
the second save names a version that is gone. Rows already stored start at version 1.

Revision ID: b7c1d2e3f4a5
Revises: 6112e48242c4
Create Date: 2026-12-04 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '6112e48242c4'
branch_labels = None
depends_on = None

TABLES = (
    'agenda_item', 'consortium', 'document', 'meeting', 'membership', 'milestone', 'organization',
    'person', 'poll', 'roster_group', 'target', 'target_report', 'user',
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
