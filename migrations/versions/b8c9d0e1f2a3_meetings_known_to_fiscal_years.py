"""meetings known only to their fiscal years: such a meeting always has an end (the 1 April after
its last fiscal year), which decides when it stops being upcoming

Revision ID: b8c9d0e1f2a3
Revises: e5f6a7b8c9d0
Create Date: 2026-12-05 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8c9d0e1f2a3'
down_revision = 'e5f6a7b8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_check_constraint('fiscal_years_end', "precision <> 'fiscal_year' OR ends_at IS NOT NULL")


def downgrade():
    # The older version knows no meeting without a month: such meetings keep their first month.
    op.execute("UPDATE meeting SET precision = 'month', ends_at = NULL WHERE precision = 'fiscal_year'")
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_fiscal_years_end'), type_='check')
