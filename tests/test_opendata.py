"""Open data: everything public, as JSON and CSV (UTF-8 with a BOM, and CP932), under the
administrator's licence, made again when the public data changes, and nothing private in it."""
from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from consortium import page_cache
from consortium.models import Consortium, Visibility
from conftest import text
from planted import planted  # noqa: F401  (a fixture)


def download(client, name: str):
    response = client.get(f"/open-data/{name}")
    assert response.status_code == 200, (name, response.status_code)
    return response


def opendata(client) -> dict:
    return json.loads(download(client, "opendata.json").data)


def test_the_demo_is_downloadable_whole_as_json_and_csv_under_cc_by(client, db, demo):
    page = text(client.get("/open-data/"))
    assert "CC BY 4.0" in page and "opendata.json" in page and "memberships_sjis.csv" in page
    data = opendata(client)
    public = db.session.execute(sa.select(Consortium.name).where(Consortium.visibility == Visibility.PUBLIC)).scalars().all()
    assert sorted(c["name"] for c in data["consortia"]) == sorted(public)
    assert data["licence"]["id"] == "CC-BY-4.0" and data["memberships"] and data["events"] and data["minutes"]

    utf8 = download(client, "memberships.csv")
    assert utf8.data.startswith(b"\xef\xbb\xbf") and utf8.mimetype_params["charset"] == "utf-8"
    rows = list(csv.DictReader(io.StringIO(utf8.data.decode("utf-8-sig"))))
    assert len(rows) == len(data["memberships"]) and any(r["description"] for r in rows)
    sjis = download(client, "memberships_sjis.csv")
    assert sjis.mimetype_params["charset"] == "Shift_JIS"
    assert list(csv.DictReader(io.StringIO(sjis.data.decode("cp932"))))[0]["member_name"] == rows[0]["member_name"]
    agenda = list(csv.DictReader(io.StringIO(download(client, "agenda_items.csv").data.decode("utf-8-sig"))))
    assert agenda and {int(r["event_id"]) for r in agenda} <= {e["id"] for e in data["events"]}


def test_a_change_to_public_data_is_in_the_next_download(client, db, make_consortium):
    council = make_consortium(name="変更前の協議会")
    assert "変更前の協議会" in [c["name"] for c in opendata(client)["consortia"]]
    council.name = "変更後の協議会"
    db.session.commit()
    page_cache.memory.clear()  # the fingerprint is worked out once a minute
    names = [c["name"] for c in opendata(client)["consortia"]]
    assert names == ["変更後の協議会"]


def test_the_administrator_sets_the_licence_and_attribution(client, db, login, post, admin):
    login(admin)
    saved = post("/admin/open-data", {"licence": "PDL-1.0", "attribution": "出典：テスト協議会事務局"})
    assert saved.status_code == 302
    page_cache.memory.clear()
    terms = opendata(client)["licence"]
    assert terms["id"] == "PDL-1.0" and terms["attribution"] == "出典：テスト協議会事務局"
    refused = post("/admin/open-data", {"licence": "GPL", "attribution": ""})
    assert refused.status_code == 422


def test_the_open_data_holds_exactly_what_the_public_may_see(client, db, planted):
    places, _viewers = planted
    everything = b"".join(download(client, name).data for name in ("opendata.json", "memberships.csv", "minutes_entries.csv"))
    seen = everything.decode("utf-8-sig").casefold()
    wrong = {word: word.casefold() in seen for word, entitled in places.items() if (word.casefold() in seen) != ("anonymous" in entitled)}
    assert wrong == {}, f"word: found? — against the public pages: {wrong}"


def test_an_unknown_file_is_404(client, db):
    assert client.get("/open-data/../config.py").status_code == 404
    assert client.get("/open-data/secrets.csv").status_code == 404
