"""Build email messages the way mail clients expect them."""
from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app, render_template

from ..lines import printed_line


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes  # UTF-8 when the mimetype is text/…
    mimetype: str  # "text/calendar"
    params: tuple[tuple[str, str], ...] = ()  # (("method", "REQUEST"),)


def address(name: str | None, email: str) -> Address:
    """An address whose display name may be Japanese; the SMTP policy encodes it per RFC 2047.
    A header holds one line, whatever the stored name holds."""
    username, domain = email.rsplit("@", 1)
    return Address(display_name=printed_line(name or ""), username=username, domain=domain)


def sender() -> Address:
    name, email = parseaddr(current_app.config["MAIL_FROM"])
    return address(name, email)


def compose(
    to: Address, subject: str, text: str, html: str | None = None, attachments: tuple[Attachment, ...] = ()
) -> EmailMessage:
    """Return a message to one recipient: plain text, an optional HTML alternative, attachments."""
    message = EmailMessage()
    from_ = sender()
    message["From"] = from_
    message["To"] = to
    message["Subject"] = printed_line(subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=from_.domain)
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    for attachment in attachments:
        maintype, subtype = attachment.mimetype.split("/", 1)
        # Sent as the bytes given (base64), so a calendar keeps its CRLF line ends; a text part
        # names its charset, without which a mail reader takes it for ASCII and garbles Japanese.
        params = {"charset": "utf-8"} if maintype == "text" else {}
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=params | dict(attachment.params),
        )
    return message


def compose_from(
    template: str, to: Address, subject: str, attachments: tuple[Attachment, ...] = (), **context
) -> EmailMessage:
    """A message whose text and HTML come from templates/mail/<template>.txt and .html."""
    return compose(
        to,
        subject,
        render_template(f"mail/{template}.txt", **context),
        render_template(f"mail/{template}.html", **context),
        attachments,
    )
