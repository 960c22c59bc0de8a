"""Accounts: sign in, sign out, change the password, choose one from an invitation link."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash

from ..extensions import db, limiter
from ..forms import ButtonForm, normalise_line, render_form
from ..permissions import Access, guard
from ..redirects import local_path
from . import services
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    """The account a sign-in names, normalised as the form normalises it, so ｓ@… counts as s@…."""
    return (normalise_line(request.form.get("email")) or "").lower()


def _failed(response) -> bool:
    """Only failed attempts count against the limit; a successful sign-in redirects."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@guard(Access.PUBLIC)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_account_key)
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            services.record_login(user)
            db.session.commit()
            return redirect(local_path(request.args.get("next"), url_for("site.home")))
        form.password.errors.append(_("The email address or the password is not right."))
    return render_form("accounts/login.html", form)


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(_error):
    """Tell the visitor to wait, on the sign-in page itself, keeping the email typed."""
    form = LoginForm()
    form.password.errors = [_("Too many failed attempts. Wait a few minutes, then try again.")]
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
@guard(Access.SIGNED_IN)
def logout():
    """Sign out."""
    if ButtonForm().validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("site.home"))


@bp.route("/password", methods=["GET", "POST"])
@guard(Access.SIGNED_IN)
def change_password():
    """Change one's own password, giving the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash or "", form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            services.set_password(current_user, form.password.data)
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("site.home"))
    return render_form("accounts/password.html", form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@guard(Access.PUBLIC)
def set_password(token: str):
    """Choose a password from an invitation or reset link; the link works once."""
    user = services.user_for_token(token)
    if user is None:
        return render_template("accounts/link_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password is set. Sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_form("accounts/set_password.html", form, user=user)
