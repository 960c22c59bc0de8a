"""Search in a browser, in Japanese on a phone: the header's box, the results page (axe clean, no
sideways scrolling), narrowing by kind, and a hit followed by keyboard to its place in the minutes."""
from browsing import check_page, needs_chromium, read_in_japanese
from playwright.sync_api import expect

pytestmark = needs_chromium


def test_a_visitor_searches_from_the_header_and_follows_a_hit_by_keyboard(live_server, page, demo):
    read_in_japanese(page, live_server)
    page.goto(live_server)
    box = page.get_by_role("searchbox", name="サイト内を検索")
    box.fill("サードプレイス")
    box.press("Enter")
    expect(page.get_by_role("heading", name="検索", exact=True)).to_be_visible()
    expect(page.locator(".hit mark").first).to_have_text("サードプレイス")
    check_page(page)

    hit = page.locator(".hit a").first
    hit.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/minutes#point-*")
    anchor = page.url.split("#")[1]
    expect(page.locator(f"#{anchor}")).to_contain_text("サードプレイス")


def test_narrowing_to_one_kind_keeps_the_words_and_pages(live_server, page, demo):
    read_in_japanese(page, live_server)
    page.goto(f"{live_server}/search?q=観光")
    page.get_by_label("種別").select_option(label="団体")
    page.get_by_role("button", name="検索").last.click()
    expect(page.get_by_label("検索する語")).to_have_value("観光")
    names = page.locator(".hit > a").all_inner_texts()
    assert "観光庁" in names and len(names) >= 3
    check_page(page)
