"""Accounts: sign in, sign out, change the password, choose one from an invitation link."""
from __future__ import annotations

import math

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash

from ..extensions import db
from ..forms import ButtonForm, render_form
from ..permissions import Access, guard
from ..redirects import local_path
from . import services, throttle
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

# When the failed sign-ins cannot be counted, ask the visitor to come back in this many seconds.
RETRY_WHEN_UNAVAILABLE = 300


@bp.route("/login", methods=["GET", "POST"])
@guard(Access.PUBLIC)
def login():
    """Sign in with email and password; wrong passwords are throttled (accounts/throttle.py)."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_form("accounts/login.html", form)
    address = form.email.data.lower()
    device = throttle.trusted_device(services.user_by_email(address))
    try:
        wait = throttle.seconds_to_wait(address, device)
        if wait:
            return _refused(form, 429, wait, ngettext(
                "Too many failed attempts. Try again in %(num)d minute.",
                "Too many failed attempts. Try again in %(num)d minutes.",
                math.ceil(wait / 60),
            ))
        user = services.authenticate(address, form.password.data)
        if user is None:
            throttle.count_failure(address, device)
    except throttle.Unavailable:
        return _refused(form, 503, RETRY_WHEN_UNAVAILABLE, _(
            "Signing in is not possible right now. Please try again in a few minutes."
        ))
    if user is None:
        form.password.errors.append(_("The email address or the password is not right."))
        return render_form("accounts/login.html", form)
    login_user(user, remember=form.remember.data)
    services.record_login(user)
    db.session.commit()
    response = make_response(redirect(local_path(request.args.get("next"), url_for("site.home"))))
    throttle.remember_device(response, user)
    return response


def _refused(form: LoginForm, status: int, retry_after: int, message: str):
    """The sign-in page again, keeping the email typed, with why it was refused and for how long."""
    form.password.errors.append(message)
    response = make_response(render_template("accounts/login.html", form=form), status)
    response.headers["Retry-After"] = str(retry_after)
    return response


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
