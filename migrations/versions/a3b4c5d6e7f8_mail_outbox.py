"""mail outbox: each notice keeps its mail and where it is (waiting, being sent, sent, failed)

Notices recorded before this were sent in the request that recorded them: they are 'sent'.

Revision ID: a3b4c5d6e7f8
Revises: f1a2b3c4d5e6
Create Date: 2026-12-05 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3b4c5d6e7f8'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('message', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column(
            'state', sa.Enum('queued', 'sending', 'sent', 'failed', name='mail_state', native_enum=False, create_constraint=True),
            server_default='sent', nullable=False,
        ))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_sent_notice_state'), ['state'], unique=False)
    op.execute("UPDATE sent_notice SET delivered_at = sent_at")


def downgrade():
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_notice_state'))
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('state')
        batch_op.drop_column('message')
        batch_op.drop_column('subject')
