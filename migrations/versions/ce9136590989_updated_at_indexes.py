"""an index on every updated_at: the API's updated_since and the open data's fingerprint read them

Revision ID: ce9136590989
Revises: 604c7b03ffc1
Create Date: 2026-12-06 03:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ce9136590989'
down_revision = '604c7b03ffc1'
branch_labels = None
depends_on = None

TABLES = (
    "api_token", "consortium", "document", "meeting", "membership", "milestone", "minutes", "open_data_terms",
    "organization", "person", "poll", "target", "user",
)


def upgrade():
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"], unique=False)


def downgrade():
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
