"""Outgoing mail: what a real SMTP server receives, and the development outbox."""
import email
from email import policy


from conftest import free_port

from consortium.mail.compose import Attachment, address, compose
from consortium.mail.transport import outbox_folder, send

ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:第5回 定例会\r\nEND:VCALENDAR\r\n".encode()


def invitation(to_name="長山 宗広", to_email="nagayama@example.jp"):
    return compose(
        address(to_name, to_email),
        "【ご案内】第5回 世田谷区地域経済の持続可能な発展を目指す会議",
        "長山 様\n\n第5回の会議をご案内します。",
        "<p>長山 様</p><p>第5回の会議をご案内します。</p>",
        (Attachment("invite.ics", ICS, "text/calendar", (("method", "REQUEST"),)),),
    )


def test_smtp_server_receives_japanese_headers_encoded_and_parts_intact(db, smtp_server):
    assert send([invitation(), invitation("北原 明", "kitahara@example.jp")]) == 2

    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["nagayama@example.jp"], ["kitahara@example.jp"]]
    raw = smtp_server.envelopes[0].content
    headers = raw.split(b"\r\n\r\n", 1)[0]
    headers.decode("ascii")  # RFC 2047: nothing but ASCII in the header block
    assert b"=?utf-8?" in headers
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "【ご案内】第5回 世田谷区地域経済の持続可能な発展を目指す会議"
    assert message["To"].addresses[0].display_name == "長山 宗広"
    assert message["From"].addresses[0].display_name == "世田谷区 事務局"
    body = message.get_body(("plain",))
    assert body.get_content_charset() == "utf-8" and "第5回の会議をご案内します。" in body.get_content()
    assert "<p>長山 様</p>" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ICS  # byte for byte, CRLF included
    assert attachment.get_content_charset() == "utf-8" and "SUMMARY:第5回 定例会" in attachment.get_content()


def test_development_writes_each_message_to_the_outbox(db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "outbox")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_FOLDER", str(tmp_path / "outbox"))

    send([invitation()])

    [written] = list((tmp_path / "outbox").iterdir())
    assert written.suffix == ".eml" and outbox_folder() == str(tmp_path / "outbox")
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("【ご案内】第5回")
    assert message["Message-ID"]


def test_nothing_to_send_opens_no_connection(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    assert send([]) == 0


# --- TLS: the server's certificate is checked, for STARTTLS and for implicit TLS ---------------

import ssl  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from conftest import Inbox  # noqa: E402


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


@pytest.fixture(params=["starttls", "implicit"])
def tls_server(request, app, monkeypatch, certificate):
    """A real SMTP server with TLS (STARTTLS or implicit, port-465 style) and the app pointed at it."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*certificate)
    inbox, port = Inbox(), free_port()
    if request.param == "starttls":
        controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_context, require_starttls=True)
    else:
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_context)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", request.param == "starttls")
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", request.param == "implicit")
    yield inbox
    controller.stop()


def test_a_server_whose_certificate_is_not_trusted_gets_no_mail(db, tls_server):
    with pytest.raises(ssl.SSLCertVerificationError):
        send([invitation()])
    assert tls_server.envelopes == []


def test_a_server_with_a_trusted_certificate_gets_the_mail_over_tls(db, tls_server, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])  # trust it as the system's CA list would
    assert send([invitation()]) == 1
    assert [e.rcpt_tos for e in tls_server.envelopes] == [["nagayama@example.jp"]]
