"""Accounts: signing in and out, throttling, passwords, invitation links, the admin command."""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from consortium.accounts.services import password_token
from consortium.models import AuditEvent, User

from conftest import PASSWORD, text


def _sign_in(post, email, password, **kwargs):
    return post("/accounts/login", {"email": email, "password": password}, **kwargs)


def test_sign_in_with_the_right_password_and_out_again(client, post, make_user):
    user = make_user(display_name="事務局 花子")
    response = _sign_in(post, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert "事務局 花子" in text(client.get("/"))
    post("/accounts/logout")
    assert "事務局 花子" not in text(client.get("/"))


def test_wrong_password_is_refused_and_the_email_kept(client, post, make_user):
    user = make_user()
    response = _sign_in(post, user.email, "wrong password")
    assert response.status_code == 422
    assert "メールアドレスまたはパスワードが正しくありません" in text(response)
    assert f'value="{user.email}"' in text(response)
    assert "name=\"password\" required type=\"password\" value=\"\"" in text(response) or 'value="wrong password"' not in text(response)


def test_deactivated_user_cannot_sign_in(post, make_user):
    user = make_user(active=False)
    assert _sign_in(post, user.email, PASSWORD).status_code == 422


def test_sign_in_refuses_a_missing_csrf_token(post, make_user):
    user = make_user()
    assert _sign_in(post, user.email, PASSWORD, csrf=False).status_code == 400


def test_repeated_failures_are_throttled_with_a_clear_message(client, post, make_user):
    user = make_user()
    for _ in range(5):
        assert _sign_in(post, user.email, "nope").status_code == 422
    response = _sign_in(post, user.email, PASSWORD)
    assert response.status_code == 429
    page = text(response)
    assert "分ほど待ってから" in page and int(response.headers["Retry-After"]) <= 60
    assert f'value="{user.email}"' in page  # the form is still there, with what was typed


def test_successful_sign_ins_do_not_count_towards_the_limit(client, post, make_user):
    user = make_user()
    for _ in range(8):
        assert _sign_in(post, user.email, PASSWORD).status_code == 302
        post("/accounts/logout")


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(post, make_user):
    user = make_user()
    response = post("/accounts/login?next=/consortia/", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/consortia/")
    post("/accounts/logout")
    response = post("/accounts/login?next=//evil.example/", {"email": user.email, "password": PASSWORD})
    assert "evil.example" not in response.headers["Location"]


def test_session_cookie_is_httponly_and_samesite(client, post, make_user):
    user = make_user()
    response = _sign_in(post, user.email, PASSWORD)
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_passwords_are_stored_hashed_with_scrypt(db, client, post, login, make_user):
    user = make_user()
    login(user)
    response = post(
        "/accounts/password",
        {"current": PASSWORD, "password": "新しいパスワード123", "confirm": "新しいパスワード123"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("scrypt:") and "新しいパスワード123" not in stored
    assert check_password_hash(stored, "新しいパスワード123")


def test_change_password_checks_the_current_one_and_the_rules(login, post, make_user):
    login(make_user())
    wrong = post("/accounts/password", {"current": "nope", "password": "abcdefghijk", "confirm": "abcdefghijk"})
    assert wrong.status_code == 422 and "現在のパスワードが正しくありません" in text(wrong)
    short = post("/accounts/password", {"current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "10文字以上" in text(short)
    differ = post("/accounts/password", {"current": PASSWORD, "password": "abcdefghijk", "confirm": "abcdefghijkl"})
    assert differ.status_code == 422 and "一致しません" in text(differ)


def test_password_change_is_audited_without_the_hash(db, login, post, make_user):
    user = make_user()
    login(user)
    post("/accounts/password", {"current": PASSWORD, "password": "abcdefghijk", "confirm": "abcdefghijk"})
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "User", AuditEvent.action == "update")
    ).scalars().all()[-1]
    assert event.user_id == user.id
    assert event.after["password_hash"] == "***" and "scrypt" not in str(event.before)


def test_set_password_link_works_once(db, client, post, make_user):
    user = make_user(password_hash=None)
    with client.application.test_request_context():
        url = f"/accounts/set-password/{password_token(user)}"
    assert client.get(url).status_code == 200
    assert post(url, {"password": "はじめてのパスワード", "confirm": "はじめてのパスワード"}).status_code == 302
    assert _sign_in(post, user.email, "はじめてのパスワード").status_code == 302
    post("/accounts/logout")
    again = client.get(url)
    assert again.status_code == 404 and "このリンクは使えません" in text(again)


def test_a_forged_set_password_link_is_refused(client):
    assert client.get("/accounts/set-password/not-a-token").status_code == 404


def test_pages_for_the_signed_in_send_visitors_to_sign_in(client):
    response = client.get("/accounts/password")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_create_admin_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "Admin@Example.jp", "--password", "管理者のパスワード123"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "admin@example.jp")).scalar_one()
    assert user.is_admin and check_password_hash(user.password_hash, "管理者のパスワード123")
    short = runner.invoke(args=["users", "create-admin", "b@example.jp", "--password", "short"])
    assert short.exit_code != 0 and "at least" in short.output


def test_create_admin_asks_for_the_password(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "c@example.jp"], input="十分に長いパスワード\n十分に長いパスワード\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(User.is_admin).where(User.email == "c@example.jp")).scalar_one()
