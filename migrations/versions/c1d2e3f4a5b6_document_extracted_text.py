"""the text inside a material's file (PDF, Word, Excel, PowerPoint), extracted when it is added,
for search: NULL until extracted, '' when the file holds none that can be read

Revision ID: c1d2e3f4a5b6
Revises: b8c9d0e1f2a3
Create Date: 2026-12-05 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1d2e3f4a5b6'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extracted_text', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('extracted_text')
