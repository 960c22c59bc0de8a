"""In Chromium at phone width: move a roster row to any place by keyboard alone, and check a
partial import's preview before confirming it."""
import pytest
from playwright.sync_api import expect

from browsing import check_page, expect_flash, needs_chromium, sign_in
from consortium.models import GrantRole

pytestmark = needs_chromium


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_IMPORT_FOLDER", str(tmp_path / "imports"))


@pytest.fixture()
def seated(make_consortium, make_member, make_person, make_user):
    consortium = make_consortium()
    for n, (name, category) in enumerate([("長山", "学識経験者"), ("大藤", "区民（公募）"), ("吉田", "区民（公募）")], start=1):
        make_member(consortium, person=make_person(family_name=name, given_name="委員"), seat=n, position=n, category=category)
    return consortium, make_user({consortium: GrantRole.SECRETARIAT})


def names_in_order(page) -> list[str]:
    return [t.split("（")[0].strip() for t in page.locator("#current ~ .table-wrap tbody th[scope=row]").all_inner_texts()]


def test_secretariat_moves_a_row_to_the_top_by_keyboard(live_server, page, seated):
    consortium, user = seated
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/consortia/{consortium.id}/roster")
    check_page(page)
    place = page.get_by_label("Move to place").nth(2)
    place.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect_flash(page, "吉田 委員 has been moved.")
    assert names_in_order(page) == ["吉田 委員", "長山 委員", "大藤 委員"]


def test_partial_import_preview_says_what_changes_before_anything_is_written(live_server, page, seated, tmp_path):
    consortium, user = seated
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/consortia/{consortium.id}/roster/import")
    file = tmp_path / "two-rows.csv"
    file.write_bytes("席次,氏名,役職,区分\r\n3,吉田 委員,区民委員,区民（公募）\r\n,新井 花子,,区民（公募）\r\n".encode("utf-8-sig"))
    page.get_by_label("Roster file").set_input_files(str(file))
    page.get_by_role("button", name="Upload and preview").click()
    table = page.get_by_role("table", name="The roster after the import, in printed order")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("no change")
    expect(rows.nth(2)).to_contain_text("changed: title")
    expect(rows.nth(3)).to_contain_text("新井 花子")
    expect(rows.nth(3)).to_contain_text("new on the roster")
    check_page(page)
    page.get_by_role("button", name="Import 2 members").click()
    expect_flash(page, "2 members imported (1 new, 1 updated).")


def test_secretariat_drags_a_row_onto_another(live_server, page, seated):
    consortium, user = seated
    page.set_viewport_size({"width": 1280, "height": 1000})  # dragging is for a mouse, on a desk
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/consortia/{consortium.id}/roster")
    rows = page.locator("tbody[data-roster-order] tr")
    # Taken by the order cell at the left: the middle of a row is its move form.
    rows.nth(0).drag_to(rows.nth(2), source_position={"x": 8, "y": 8}, target_position={"x": 8, "y": 8})
    expect_flash(page, "長山 委員 has been moved.")
    assert names_in_order(page) == ["大藤 委員", "吉田 委員", "長山 委員"]
