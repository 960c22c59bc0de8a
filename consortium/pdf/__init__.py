"""Printed outputs: 議事次第, 議事録 and 委員名簿 as PDF with an embedded Japanese font."""
