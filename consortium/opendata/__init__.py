"""Open data: everything public as one JSON file and CSV tables, under the administrator's licence."""
