"""The search index: one entry for each row that can be found, with its text and grams.

The entry holds only what matching needs; who may see a hit is decided at search time by joining
the entry to its row and applying the pages' own permission clauses (consortium/search/queries.py),
so the index cannot show what a page would not.

Which database index serves the grams (consortium/search/folding.py):
- PostgreSQL: a GIN index on the grams as an array (`string_to_array(grams, ' ')`), asked with
  `@>` for all the grams of a term;
- SQLite: an FTS5 table over the grams (external content: the entry table keeps the text, FTS5
  only its index), asked with MATCH for all the grams as tokens.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime

GRAMS_INDEX = "ix_search_entry_grams"
FTS_TABLE = "search_entry_fts"
# SQLite's full-text table over the grams, kept in step with the entries by triggers.
FTS_DDL = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(grams, content='search_entry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, grams) VALUES (new.id, new.grams); END",
    f"CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    f"CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, grams) VALUES ('delete', old.id, old.grams); "
    f"INSERT INTO {FTS_TABLE}(rowid, grams) VALUES (new.id, new.grams); END",
]
PG_DDL = [f"CREATE INDEX {GRAMS_INDEX} ON search_entry USING gin (string_to_array(grams, ' '))"]


class SearchEntry(db.Model):
    __tablename__ = "search_entry"
    __table_args__ = (sa.UniqueConstraint("kind", "row_id"), sa.Index("ix_search_entry_kind_day", "kind", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # consortium/search/index.py KINDS
    row_id: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)  # as typed, its title first: snippets come from it
    folded: Mapped[str] = mapped_column(sa.Text)  # folding.fold(text): what a term is checked against
    grams: Mapped[str] = mapped_column(sa.Text)  # folding.grams(folded), apart by spaces
    # The start of the meeting the row belongs to, a copy kept with it (consortium/search/index.py),
    # so a search by date reads the index in date order instead of every hit's meeting.
    day: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SearchEntry {self.kind} {self.row_id}>"


for _statement in FTS_DDL:
    sa.event.listen(SearchEntry.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in PG_DDL:
    sa.event.listen(SearchEntry.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
sa.event.listen(
    SearchEntry.__table__, "before_drop", sa.DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite")
)
