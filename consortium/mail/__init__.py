"""Outgoing mail: compose messages (RFC 2047 headers, UTF-8 text with an HTML alternative,
attachments) and hand them to SMTP, or to an outbox folder of .eml files in development."""
