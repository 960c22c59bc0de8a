"""the search index: an entry for each row that can be found, with its folded text and its grams,
indexed by GIN on PostgreSQL and by an FTS5 table on SQLite (consortium/models/search.py); filled
by `flask search rebuild`

Revision ID: d2e3f4a5b6c7
Revises: c1d2e3f4a5b6
Create Date: 2026-12-05 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2e3f4a5b6c7'
down_revision = 'c1d2e3f4a5b6'
branch_labels = None
depends_on = None

# As consortium/models/search.py has them at this revision.
FTS_DDL = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(grams, content='search_entry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, grams) VALUES (new.id, new.grams); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, grams) VALUES ('delete', old.id, old.grams); "
    "INSERT INTO search_entry_fts(rowid, grams) VALUES (new.id, new.grams); END",
]
PG_DDL = ["CREATE INDEX ix_search_entry_grams ON search_entry USING gin (string_to_array(grams, ' '))"]


def upgrade():
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('folded', sa.Text(), nullable=False),
        sa.Column('grams', sa.Text(), nullable=False),
        sa.Column('day', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entry')),
        sa.UniqueConstraint('kind', 'row_id', name=op.f('uq_search_entry_kind_row_id')),
    )
    op.create_index('ix_search_entry_kind_day', 'search_entry', ['kind', 'day'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in FTS_DDL if dialect == 'sqlite' else PG_DDL if dialect == 'postgresql' else []:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_entry_fts")
    op.drop_table('search_entry')
