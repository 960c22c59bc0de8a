"""meeting lifecycle: observers on the meeting, notices about meetings

The number of observers moves from the minutes to the meeting, where the attendance is
recorded; the counts already kept move with it.

Revision ID: 6112e48242c4
Revises: e2e76a89085a
Create Date: 2026-11-23 16:51:58.006665

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6112e48242c4'
down_revision = 'e2e76a89085a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('observers', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('observers_not_negative', 'observers IS NULL OR observers >= 0')

    op.execute(
        "UPDATE meeting SET observers = "
        "(SELECT minutes.observers FROM minutes WHERE minutes.meeting_id = meeting.id)"
    )

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_minutes_observers_not_negative'), type_='check')
        batch_op.drop_column('observers')

    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_sent_notice_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_sent_notice_kind_meeting_id_membership_id_sequence'), ['kind', 'meeting_id', 'membership_id', 'sequence'])
        batch_op.create_foreign_key(batch_op.f('fk_sent_notice_meeting_id_meeting'), 'meeting', ['meeting_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('poll_xor_meeting', '(poll_id IS NULL) <> (meeting_id IS NULL)')

    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.alter_column('sequence', server_default=None)


def downgrade():
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sent_notice_poll_xor_meeting'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_sent_notice_meeting_id_meeting'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_sent_notice_kind_meeting_id_membership_id_sequence'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_sent_notice_meeting_id'))
        batch_op.drop_column('sequence')
        batch_op.drop_column('meeting_id')
    op.execute("DELETE FROM sent_notice WHERE poll_id IS NULL")

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('observers', sa.INTEGER(), nullable=True))
        batch_op.create_check_constraint('observers_not_negative', 'observers IS NULL OR observers >= 0')

    op.execute(
        "UPDATE minutes SET observers = (SELECT meeting.observers FROM meeting WHERE meeting.id = minutes.meeting_id)"
    )

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_observers_not_negative'), type_='check')
        batch_op.drop_column('observers')
