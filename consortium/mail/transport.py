"""Hand composed messages to SMTP, or write them to the outbox folder in development."""
from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from collections.abc import Iterable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

from flask import current_app

from ..files import instance_folder, write_atomically


def outbox_folder() -> str:
    return instance_folder("MAIL_OUTBOX_FOLDER", "outbox")


def send(messages: Iterable[EmailMessage]) -> int:
    """Send the messages (over one SMTP connection) and return how many went out."""
    messages = list(messages)
    if not messages:
        return 0
    if current_app.config["MAIL_BACKEND"] == "smtp":
        _send_smtp(messages)
    else:
        _write_outbox(messages)
    return len(messages)


def _send_smtp(messages: list[EmailMessage]) -> None:
    config = current_app.config
    server, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    # The mails carry personal reply links: TLS must check the server's certificate and name,
    # which smtplib does not do without a context.
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(server, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(server, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in messages:
            smtp.send_message(message)


def _write_outbox(messages: list[EmailMessage]) -> None:
    """Write each message as <UTC time>-<random>.eml, whole or not at all."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for message in messages:
        target = os.path.join(outbox_folder(), f"{stamp}-{secrets.token_hex(4)}.eml")
        write_atomically(target, message.as_bytes(policy=policy.SMTP))
