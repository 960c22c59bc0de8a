"""the open data's terms: the licence the administrator chose and the attribution it asks for

Revision ID: 604c7b03ffc1
Revises: a7b8c9d0e1f2
Create Date: 2026-12-06 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '604c7b03ffc1'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'open_data_terms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('licence', sa.Enum('CC-BY-4.0', 'PDL-1.0', 'CC-BY-SA-4.0', 'CC0-1.0', name='open_data_licence', native_enum=False, create_constraint=True, length=12), nullable=False),
        sa.Column('attribution', sa.String(length=300), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open_data_terms')),
    )


def downgrade():
    op.drop_table('open_data_terms')
