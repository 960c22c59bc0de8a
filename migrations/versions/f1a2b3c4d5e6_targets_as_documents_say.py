"""targets and milestones as documents say them

A target has a kind (a number, words only, to be set) and a comparator (以上 / 以下 / 程度);
a milestone may be known only to the fiscal year (2018年度) and may be a deadline within its
period (2018年度内). Results so far stay target reports; no data moves.

Revision ID: f1a2b3c4d5e6
Revises: d9e4f5a6b7c8
Create Date: 2026-12-05 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'd9e4f5a6b7c8'
branch_labels = None
depends_on = None

OLD_PRECISIONS = ('minute', 'day', 'month')
NEW_PRECISIONS = (*OLD_PRECISIONS, 'fiscal_year')


def _precision(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def _set_precisions(values, old_check, new_check, new_sql):
    """Widen or narrow both precision columns, and swap the milestone's own check."""
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_meeting_precision'), type_='check')
        batch_op.alter_column('precision', type_=_precision('meeting_precision', values), existing_nullable=False)
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_milestone_milestone_precision'), type_='check')
        batch_op.drop_constraint(op.f(f'ck_milestone_{old_check}'), type_='check')
        batch_op.alter_column('precision', type_=_precision('milestone_precision', values), existing_nullable=False)
        batch_op.create_check_constraint(new_check, new_sql)


def upgrade():
    _set_precisions(NEW_PRECISIONS, 'day_or_month', 'day_month_or_fiscal_year', "precision IN ('day', 'month', 'fiscal_year')")
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('within', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'kind', sa.Enum('numeric', 'qualitative', 'to_be_set', name='target_kind', native_enum=False, create_constraint=True),
            server_default='numeric', nullable=False,
        ))
        batch_op.add_column(sa.Column(
            'comparator', sa.Enum('exactly', 'at_least', 'at_most', 'about', name='target_comparator', native_enum=False,
                                  create_constraint=True),
            server_default='exactly', nullable=False,
        ))
        batch_op.create_check_constraint('value_only_if_numeric', "kind = 'numeric' OR target_value IS NULL")


def downgrade():
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_target_value_only_if_numeric'), type_='check')
        batch_op.drop_column('comparator')
        batch_op.drop_column('kind')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_column('within')
    op.execute("UPDATE milestone SET precision = 'day' WHERE precision = 'fiscal_year'")
    _set_precisions(OLD_PRECISIONS, 'day_month_or_fiscal_year', 'day_or_month', "precision IN ('day', 'month')")
