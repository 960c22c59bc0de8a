"""date polls: the poll's message, one response (comment) per member, notices sent once

The comment moves from each slot's answer to the member's response: polls had no pages
before this revision, so there are no comments to carry over.

Revision ID: e2e76a89085a
Revises: 4eaf0654a298
Create Date: 2026-11-23 15:10:57.479087

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2e76a89085a'
down_revision = '4eaf0654a298'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('poll_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_poll_response_membership_id_membership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_response_poll_id_poll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_response')),
    sa.UniqueConstraint('poll_id', 'membership_id', name=op.f('uq_poll_response_poll_id_membership_id'))
    )
    with op.batch_alter_table('poll_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_response_membership_id'), ['membership_id'], unique=False)

    op.create_table('sent_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_sent_notice_membership_id_membership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_sent_notice_poll_id_poll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_notice')),
    sa.UniqueConstraint('kind', 'poll_id', 'membership_id', name=op.f('uq_sent_notice_kind_poll_id_membership_id'))
    )
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_notice_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_notice_poll_id'), ['poll_id'], unique=False)

    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=True))

    with op.batch_alter_table('poll_answer', schema=None) as batch_op:
        batch_op.drop_column('comment')



def downgrade():
    with op.batch_alter_table('poll_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment', sa.VARCHAR(length=500), nullable=True))

    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.drop_column('message')

    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_notice_poll_id'))
        batch_op.drop_index(batch_op.f('ix_sent_notice_membership_id'))

    op.drop_table('sent_notice')
    with op.batch_alter_table('poll_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_response_membership_id'))

    op.drop_table('poll_response')
