"""Invitations by email, replies without a password, and their reminders."""
