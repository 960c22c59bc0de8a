"""people's folded search text

Names are now stored as typed (NFC); searches and duplicate checks match person.search_text, the
width- and case-folded names (japanese.search_key), as organisations and consortia already do.

Revision ID: d9e4f5a6b7c8
Revises: d4a7e1f2b3c9
Create Date: 2026-12-04 18:40:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9e4f5a6b7c8'
down_revision = 'd4a7e1f2b3c9'
branch_labels = None
depends_on = None

person = sa.table(
    'person',
    sa.column('id', sa.Integer),
    sa.column('family_name', sa.String),
    sa.column('given_name', sa.String),
    sa.column('family_name_kana', sa.String),
    sa.column('given_name_kana', sa.String),
    sa.column('name_en', sa.String),
    sa.column('search_text', sa.Text),
)


def search_key(*parts):
    """japanese.search_key as of this revision: NFKC, case-folded, no spaces."""
    text = " ".join(p for p in parts if p)
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def upgrade():
    with op.batch_alter_table('person') as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    connection = op.get_bind()
    names = (person.c.family_name, person.c.given_name, person.c.family_name_kana, person.c.given_name_kana, person.c.name_en)
    for row in connection.execute(sa.select(person.c.id, *names)).all():
        connection.execute(person.update().where(person.c.id == row.id).values(search_text=search_key(*row[1:])))


def downgrade():
    with op.batch_alter_table('person') as batch_op:
        batch_op.drop_column('search_text')
