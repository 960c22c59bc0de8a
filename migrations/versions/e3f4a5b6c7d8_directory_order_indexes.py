"""the directory's lists in reading order, paginated by key: an index in that order for
organisations and for people

Revision ID: e3f4a5b6c7d8
Revises: d2e3f4a5b6c7
Create Date: 2026-12-05 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3f4a5b6c7d8'
down_revision = 'd2e3f4a5b6c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_organization_directory_order", "organization", [sa.text("coalesce(name_kana, name)"), "id"]
    )
    op.create_index(
        "ix_person_directory_order",
        "person",
        [sa.text("coalesce(family_name_kana, family_name)"), sa.text("coalesce(given_name_kana, given_name, '')"), "id"],
    )


def downgrade():
    op.drop_index("ix_person_directory_order", table_name="person")
    op.drop_index("ix_organization_directory_order", table_name="organization")
