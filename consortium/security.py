"""Security headers on every response the application sends: pages, files, feeds and errors alike."""
from __future__ import annotations

from flask import Flask, Response

# Scripts and styles only from our own static files: nothing inline, so text a user typed can never
# run or restyle a page. No page may be framed (clickjacking on the sign-in and confirm buttons).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Reply, poll, feed and set-password links carry personal tokens in their path: no other site
    # may see our addresses. Same-origin (not no-referrer) because Flask-WTF checks the Referer of
    # every form posted over HTTPS against our own host.
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    headers = dict(HEADERS)
    if app.config.get("STRICT_TRANSPORT_SECURITY"):
        headers["Strict-Transport-Security"] = app.config["STRICT_TRANSPORT_SECURITY"]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
