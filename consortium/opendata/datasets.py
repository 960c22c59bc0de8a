"""The open data: everything public, exactly as the API answers someone with no token, in one JSON
file and in CSV tables (UTF-8 with a BOM, and CP932 for older Excel), under the administrator's
licence.

A build is kept in the "open-data" store under the fingerprint of the public rows (their counts
and latest changes): a download finds the build of the current fingerprint, or asks for one (a
job; with no queue, at once) and serves the previous build meanwhile.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext as _

from .. import jobs, page_cache, storage
from ..extensions import db
from ..models import (
    LICENCE_URLS,
    Consortium,
    Document,
    Licence,
    Meeting,
    Membership,
    Milestone,
    Minutes,
    OpenDataTerms,
    Organization,
    Person,
    Target,
)

MANIFEST = "current.json"
PAGE = 200  # rows per API page while building


# ---------------------------------------------------------------------------------------------
# The terms and the fingerprint


def terms() -> OpenDataTerms:
    """The saved terms, or the default ones (unsaved: CC BY 4.0, credited to the site)."""
    saved = db.session.execute(sa.select(OpenDataTerms)).scalar_one_or_none()
    # One row, id 1: two administrators saving the first terms at once cannot make two.
    return saved or OpenDataTerms(id=1, licence=Licence.CC_BY_4, attribution=_("Consortium (this site)"))


def terms_of(row: OpenDataTerms) -> dict:
    return {"id": row.licence.value, "name": str(row.licence.label), "url": LICENCE_URLS[row.licence], "attribution": row.attribution}


# The rows whose public part the open data holds; a change to any moves its count or latest time.
_WATCHED = (Consortium, Membership, Organization, Person, Meeting, Document, Minutes, Milestone, Target, OpenDataTerms)


def _fingerprint_now() -> str:
    parts = [sa.select(sa.func.count(), sa.func.max(model.updated_at)).select_from(model) for model in _WATCHED]
    rows = db.session.execute(sa.union_all(*parts)).all()
    return hashlib.sha256(repr([(count, str(latest)) for count, latest in rows]).encode()).hexdigest()[:16]


def fingerprint() -> str:
    """The public rows' fingerprint, worked out at most once a minute (a scan of every table)."""
    minute = datetime.now(timezone.utc).strftime("%Y%m%d%H%M")
    return page_cache.kept(("open-data", minute), _fingerprint_now)


# ---------------------------------------------------------------------------------------------
# A build


def _site() -> str:
    configured = current_app.config.get("SITE_URL")
    if configured:
        return configured.rstrip("/") + "/"
    return request.host_url if has_request_context() else "http://localhost/"


def _every_row(client, path: str, base_url: str) -> list[dict]:
    """Every row of an API list, as someone with no token gets it."""
    rows, query = [], {"limit": PAGE}
    while True:
        response = client.get(path, query_string=query, base_url=base_url)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        page = response.get_json()
        rows += page["items"]
        if page["next"] is None:
            return rows
        query["after"] = page["next"]


def _collected() -> dict[str, list[dict]]:
    """The public rows of every kind, through the API as a visitor with no token."""
    base_url = _site()
    # A context of its own: the API requests set their own visitor and session, not the caller's.
    with current_app.app_context():
        client = current_app.test_client()
        found = {name: _every_row(client, f"/api/v1/{name}", base_url)
                 for name in ("consortia", "memberships", "organizations", "people", "events", "minutes")}
        found["consortia"] = [
            client.get(f"/api/v1/consortia/{row['id']}", base_url=base_url).get_json() for row in found["consortia"]
        ]
    return found


def _joined(values: Iterable) -> str:
    return "、".join(str(v) for v in values if v)


# Each CSV table: its columns, and its rows from the collected data.
def _consortia(data):
    for c in data["consortia"]:
        yield {"id": c["id"], "name": c["name"], "short_name": c["short_name"], "name_en": c["name_en"],
               "classification": c["classification"], "status": c["status"], "description": c["description"],
               "founding_date": c["founding_date"], "dissolution_date": c["dissolution_date"],
               "parent_id": (c["parent"] or {}).get("id"), "themes": _joined(t["name"] for t in c["themes"]),
               "hosts": _joined(h["name"] for h in c["hosts"]), "secretariat": _joined(s["name"] for s in c["secretariat"]),
               "contact": c["contact"], "html_url": c["html_url"], "updated_at": c["updated_at"]}


def _memberships(data):
    for m in data["memberships"]:
        group, sits_for = m["group"] or {}, m["on_behalf_of"] or {}
        yield {"id": m["id"], "consortium_id": m["consortium_id"], "member_type": m["member"]["type"],
               "member_id": m["member"]["id"], "member_name": m["member"]["name"], "on_behalf_of_id": sits_for.get("id"),
               "on_behalf_of_name": sits_for.get("name"), "role": m["role"], "label": m["label"], "seat": m["seat"],
               "category": m["category"], "group_label": group.get("label"), "group_title": group.get("title"),
               "description": m["description"], "start_date": m["start_date"], "end_date": m["end_date"],
               "updated_at": m["updated_at"]}


def _organizations(data):
    for o in data["organizations"]:
        yield {key: o[key] for key in ("id", "name", "name_kana", "name_en", "classification", "prefecture", "website", "html_url", "updated_at")}


def _people(data):
    for p in data["people"]:
        yield {key: p[key] for key in ("id", "name", "family_name", "given_name", "family_name_kana", "given_name_kana",
                                       "name_en", "title", "organization_id", "html_url", "updated_at")}


def _events(data):
    for e in data["events"]:
        place = e["location"]
        yield {"id": e["id"], "consortium_id": e["consortium"]["id"], "consortium_name": e["consortium"]["name"],
               "number": e["number"], "name": e["name"], "classification": e["classification"], "status": e["status"],
               "start_date": e["start_date"], "end_date": e["end_date"], "precision": e["precision"],
               "date_estimated": e["date_estimated"], "venue": place["name"], "room": place["room"],
               "address": place["address"], "description": e["description"], "html_url": e["html_url"],
               "updated_at": e["updated_at"]}


def _agenda_items(data):
    def walk(event_id, items, parent_id):
        for item in items:
            yield {"event_id": event_id, "id": item["id"], "parent_id": parent_id, "label": item["label"],
                   "title": item["title"], "note": item["note"], "duration_minutes": item["duration_minutes"],
                   "presenters": _joined(f"{p['name']}（{p['title']}）" if p["title"] else p["name"] for p in item["presenters"])}
            yield from walk(event_id, item["children"], item["id"])

    for e in data["events"]:
        yield from walk(e["id"], e["agenda"], None)


def _materials(data):
    for e in data["events"]:
        for m in e["materials"]:
            yield {"event_id": e["id"], "id": m["id"], "label": m["label"], "title": m["title"], "type": m["type"],
                   "agenda_item_id": m["agenda_item_id"], "filename": m["filename"], "media_type": m["media_type"],
                   "size": m["size"], "download_url": m["download_url"]}


def _minutes_entries(data):
    for m in data["minutes"]:
        for kind, rows in (("point", m["points"]), ("decision", m["decisions"]), ("action", m["action_items"])):
            for row in rows:
                yield {"event_id": m["event_id"], "kind": kind, "agenda_item_id": row.get("agenda_item_id"),
                       "text": row["text"], "speaker_or_owner": row.get("speaker") or row.get("owner"),
                       "due_on": row.get("due_on"), "status": row.get("status")}


def _attendance(data):
    for m in data["minutes"]:
        for row in m["attendance"]:
            yield {"event_id": m["event_id"], **row}


def _targets(data):
    for c in data["consortia"]:
        for t in c["targets"]:
            target = {"consortium_id": c["id"], "target_id": t["id"], "title": t["title"], "target_value": t["target_value"],
                      "unit": t["unit"], "fiscal_year": t["fiscal_year"], "baseline_value": t["baseline_value"],
                      "baseline_fiscal_year": t["baseline_fiscal_year"]}
            for report in t["reports"] or [{"fiscal_year": None, "value": None}]:
                yield {**target, "report_fiscal_year": report["fiscal_year"], "report_value": report["value"]}


TABLES: dict[str, Callable[[dict], Iterable[dict]]] = {
    "consortia": _consortia, "memberships": _memberships, "organizations": _organizations, "people": _people,
    "events": _events, "agenda_items": _agenda_items, "materials": _materials, "minutes_entries": _minutes_entries,
    "attendance": _attendance, "targets": _targets,
}


def _csv(rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\r\n")
            writer.writeheader()
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def files_of(data: dict, terms_row: OpenDataTerms, generated_at: str) -> dict[str, bytes]:
    """Every file of a build, by name: the JSON, and each table in UTF-8 (BOM) and in CP932."""
    files = {
        "opendata.json": json.dumps(
            {"licence": terms_of(terms_row), "generated_at": generated_at, "source": _site(), **data},
            ensure_ascii=False, indent=1,
        ).encode()
    }
    for name, rows in TABLES.items():
        text = _csv(rows(data))
        files[f"{name}.csv"] = text.encode("utf-8-sig")
        # CP932 lacks a few characters (some old kanji variants, emoji): they become ? there only.
        files[f"{name}_sjis.csv"] = text.encode("cp932", errors="replace")
    return files


def build(fingerprint_then: str) -> None:
    """Build the open data of the public rows as they are now, keep it under the fingerprint, and
    make it current (the previous build is removed)."""
    store = storage.store("open-data")
    generated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    files = files_of(_collected(), terms(), generated_at)
    for name, data in files.items():
        store.put(f"{fingerprint_then}/{name}", data)
    old = current()
    manifest = {"fingerprint": fingerprint_then, "generated_at": generated_at, "files": {n: len(d) for n, d in files.items()}}
    store.put(MANIFEST, json.dumps(manifest).encode())
    if old is not None and old["fingerprint"] != fingerprint_then:
        for name in old["files"]:
            store.delete(f"{old['fingerprint']}/{name}")


def current() -> dict | None:
    """The manifest of the current build: its fingerprint, when it was made, its files and sizes."""
    data = storage.store("open-data").get(MANIFEST)
    return json.loads(data) if data else None


def latest() -> dict | None:
    """The current build, after asking for a new one when the public rows changed since it was made
    (with no queue the new one is made at once and returned)."""
    now = fingerprint()
    found = current()
    if found is None or found["fingerprint"] != now:
        jobs.enqueue(build, now, once=f"open-data-{now}")
        found = current()
    return found


def read(manifest: dict, name: str) -> bytes | None:
    return storage.store("open-data").get(f"{manifest['fingerprint']}/{name}") if name in manifest["files"] else None
