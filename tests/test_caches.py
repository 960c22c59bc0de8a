"""Pruning the disk caches (rendered PDFs, serialized calendar events): by last use, then by size."""
from __future__ import annotations

import os
import time

import pytest

from consortium.storage import LocalStore, prune

DAY = 24 * 3600


def cached(folder, name: str, size: int = 100, days_unused: float = 0):
    path = folder / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    used = time.time() - days_unused * DAY
    os.utime(path, (used, used))
    return path


def test_files_unused_for_longer_than_the_limit_are_removed(tmp_path):
    old, recent = cached(tmp_path, "aa-old.pdf", days_unused=31), cached(tmp_path, "bb-recent.pdf", days_unused=29)
    pruned = prune(LocalStore(str(tmp_path)), unused_days=30, max_bytes=10**9)
    assert not old.exists() and recent.exists()
    assert pruned.removed == 1 and pruned.freed == 100 and pruned.kept == 1 and pruned.kept_bytes == 100


def test_over_its_size_the_least_recently_used_files_go_first(tmp_path):
    files = [cached(tmp_path, f"{n:02d}-file.ics", days_unused=10 - n) for n in range(5)]  # files[0] the oldest
    prune(LocalStore(str(tmp_path)), unused_days=30, max_bytes=250)
    assert [f.exists() for f in files] == [False, False, False, True, True]


def test_a_write_that_died_is_removed_but_one_under_way_is_not(tmp_path):
    dead = cached(tmp_path, "cc-dead.part", days_unused=1 / 12)  # two hours
    live = cached(tmp_path, "dd-live.part")
    prune(LocalStore(str(tmp_path)), unused_days=30, max_bytes=10**9)
    assert not dead.exists() and live.exists()


def test_reading_a_cached_file_marks_it_used(tmp_path):
    path = cached(tmp_path, "ee-read.pdf", days_unused=31)
    assert LocalStore(str(tmp_path)).get(f"ee/{path.name}") == b"x" * 100
    prune(LocalStore(str(tmp_path)), unused_days=30, max_bytes=10**9)
    assert path.exists()


def test_a_missing_folder_prunes_nothing(tmp_path):
    assert prune(LocalStore(str(tmp_path / "none")), unused_days=30, max_bytes=0).removed == 0


@pytest.fixture()
def published(make_consortium, make_meeting):
    return make_meeting(make_consortium(), is_public=True)


def test_the_command_prunes_both_caches_and_pages_make_what_went_again(app, client, published, monkeypatch):
    pdf, feed = f"/meetings/{published.id}/agenda.pdf", "/meetings/calendar.ics"
    first_pdf, first_feed = client.get(pdf), client.get(feed).get_data()
    folders = [app.config["PDF_CACHE_FOLDER"], app.config["ICAL_CACHE_FOLDER"]]
    assert all(any(files for _, _, files in os.walk(f)) for f in folders)
    monkeypatch.setitem(app.config, "PDF_CACHE_MAX_BYTES", 0)
    monkeypatch.setitem(app.config, "ICAL_CACHE_MAX_BYTES", 0)

    result = app.test_cli_runner().invoke(args=["caches", "prune"])

    assert result.exit_code == 0, result.output
    assert "pdf-cache: removed 1 files" in result.output and "ical-cache: removed 1 files" in result.output
    assert not any(files for f in folders for _, _, files in os.walk(f))
    from consortium.feeds import publish

    publish.events.clear()  # a new worker: nothing in memory either
    again = client.get(pdf)
    assert again.status_code == 200 and again.headers["ETag"] == first_pdf.headers["ETag"]
    assert client.get(feed).get_data() == first_feed
