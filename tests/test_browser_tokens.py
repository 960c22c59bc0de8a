"""A secretariat makes an API token in a real browser (Debian's Chromium via Playwright) on the
demo data, copies it once, uses it, and revokes it; the open data and the API reference read
well on a phone."""
import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, read_in_japanese

from consortium.demo.loader import DEMO_PASSWORD
from consortium.models import ApiToken

pytestmark = needs_chromium


@pytest.fixture()
def signed_in_setagaya(demo, live_server, page):
    page.goto(f"{live_server}/accounts/login")
    page.get_by_label("Email address").fill("setagaya@example.jp")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    return page


def test_a_secretariat_makes_a_token_uses_it_and_revokes_it(db, live_server, signed_in_setagaya, client):
    page = signed_in_setagaya
    page.get_by_role("link", name="API tokens").click()
    check_page(page)
    assert "区ウェブサイトの会議一覧" in page.content(), "the demo's token is listed"
    page.get_by_label("Name").fill("議事録の取り込み")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Your new token. Copy it now: it is not shown again.").input_value()
    assert token.startswith("csm_")
    check_page(page)
    assert client.get("/api/v1/consortia", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    page.reload()  # shown once: a new look at the page has only its first characters
    assert token not in page.content() and token[:10] in page.content()
    row = page.get_by_role("row").filter(has_text="議事録の取り込み")
    row.get_by_role("button", name="Revoke").click()
    expect_flash(page, "The token 議事録の取り込み is revoked.")
    assert client.get("/api/v1/consortia", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    db.session.expire_all()
    assert db.session.execute(sa.select(ApiToken.revoked_at).where(ApiToken.name == "議事録の取り込み")).scalar() is not None
    read_in_japanese(page, live_server)
    page.reload()
    check_page(page)


@pytest.mark.parametrize("path", ["/open-data/", "/api/v1/"])
def test_the_open_data_and_the_api_reference_read_on_a_phone(demo, live_server, page, path):
    page.goto(f"{live_server}{path}")
    check_page(page)
    if path == "/open-data/":
        with page.expect_download() as download:
            page.get_by_role("link", name="memberships_sjis.csv").click()
        assert download.value.suggested_filename == "memberships_sjis.csv"
