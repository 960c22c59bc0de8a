"""Full-text search over everything a visitor may see (docs/design.md, Search)."""
