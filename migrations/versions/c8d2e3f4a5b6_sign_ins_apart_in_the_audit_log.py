"""sign-ins apart in the audit log

A sign-in was recorded as a change of the account's last_login_at; it is now an event of its
own ('sign_in'), so the log can show edits without them. Events already written are renamed.

Revision ID: c8d2e3f4a5b6
Revises: b7c1d2e3f4a5
Create Date: 2026-12-04 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8d2e3f4a5b6'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None

event = sa.table(
    'audit_event',
    sa.column('id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('entity_type', sa.String),
    sa.column('after', sa.JSON),
)


def _in_batches(connection, statement, ids):
    for start in range(0, len(ids), 500):
        connection.execute(statement.where(event.c.id.in_(ids[start:start + 500])))


def upgrade():
    connection = op.get_bind()
    updates = connection.execute(
        sa.select(event.c.id, event.c.after).where(event.c.action == 'update', event.c.entity_type == 'User')
    ).all()
    # JSON keys are read in Python: SQLite and PostgreSQL query them differently.
    sign_ins = [row.id for row in updates if row.after and set(row.after) == {'last_login_at'}]
    _in_batches(connection, event.update().values(action='sign_in'), sign_ins)


def downgrade():
    """Renamed events become updates again; sign-ins recorded since carry no change and go."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(event.c.id, event.c.after).where(event.c.action == 'sign_in')).all()
    _in_batches(connection, event.update().values(action='update'), [row.id for row in rows if row.after])
    _in_batches(connection, event.delete(), [row.id for row in rows if not row.after])
