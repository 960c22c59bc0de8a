"""A person's private contact details as a given viewer may see them: in full, masked, or not at all.

The rule (permissions.contact_view): administrators and the person's own linked account see
the address and number in full; secretariats, who keep the shared directory and send the
invitations, see a masked form that shows one exists (n•••••@example.jp, •••-••••-••12);
everyone else sees nothing. Every page, form and export asks here, so the rule has one home.
"""
from __future__ import annotations

from . import permissions
from .models import Person

HIDDEN = "•"
# A masked address shows this many dots whatever the length, so the mask tells nothing of it.
MASK_LENGTH = 5
PHONE_DIGITS_SHOWN = 2


def mask_email(address: str) -> str:
    """The first character of the local part and the domain: n•••••@example.jp."""
    local, _, domain = address.rpartition("@")
    if not local:  # not an address: nothing of it is shown
        return HIDDEN * MASK_LENGTH
    return f"{local[0]}{HIDDEN * MASK_LENGTH}@{domain}"


def mask_phone(number: str) -> str:
    """Every digit but the last two hidden, separators kept: 090-0000-0012 → •••-••••-••12."""
    digits = sum(c.isdigit() for c in number)
    seen, out = 0, []
    for c in number:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - PHONE_DIGITS_SHOWN else HIDDEN)
        else:
            out.append(c)
    return "".join(out)


def email_of(person: Person | None, user=None) -> str | None:
    """The person's email as the viewer may see it: full, masked, or None."""
    return _shown(person, "email", mask_email, user)


def phone_of(person: Person | None, user=None) -> str | None:
    """The person's phone as the viewer may see it: full, masked, or None."""
    return _shown(person, "phone", mask_phone, user)


def address_as_seen(address: str, user=None) -> str:
    """An address a mail went to, for the pages that list mails (secretariats and administrators):
    in full for administrators, masked for the rest."""
    return address if permissions.is_admin(user) else mask_email(address)


def _shown(person: Person | None, attribute: str, mask, user) -> str | None:
    value = getattr(person, attribute) if person is not None else None
    if not value:
        return None
    view = permissions.contact_view(person, user)
    if view is permissions.ContactView.FULL:
        return value
    return mask(value) if view is permissions.ContactView.MASKED else None
