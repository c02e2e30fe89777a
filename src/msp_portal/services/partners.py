"""Links with partner organisations (L1-L3): listed here, created nowhere, deleted by partners."""

from __future__ import annotations

import hashlib
import hmac

from msp_portal.domain.model import PartnerLink
from msp_portal.domain.partners import PARTNERS, Partner, partner
from msp_portal.errors import (
    PartnerLinkCreationClosed,
    PartnerLinkDeletedAtPartner,
    PartnerLinkNotFound,
    PartnerNotAuthorised,
    UnknownPartner,
)
from msp_portal.services.context import Collaborators, session_account


def directory() -> tuple[Partner, ...]:
    """The partner organisations and how to contact them (L3)."""
    return PARTNERS


def list_links(ctx: Collaborators, session_token: str) -> list[PartnerLink]:
    """The signed-in account's links, oldest first."""
    account, _ = session_account(ctx, session_token)
    links = []
    for record in ctx.store.partner_links(account.id):
        known = partner(record.partner_code)
        if known is not None:
            links.append(PartnerLink(known, record.partner_reference, record.linked_at))
    return links


def create_link(ctx: Collaborators, session_token: str, partner_code: str) -> None:
    """Always refused (L1): "La création de liaison n'est plus disponible"."""
    session_account(ctx, session_token)
    raise PartnerLinkCreationClosed(partner=partner_code)


def holder_delete_link(ctx: Collaborators, session_token: str, partner_code: str) -> None:
    """Always refused (L2): the holder deletes a link on the partner's site ("Gérer ma liaison")."""
    session_account(ctx, session_token)
    known = partner(partner_code)
    raise PartnerLinkDeletedAtPartner(partner=known.name if known else partner_code)


def partner_delete_link(
    ctx: Collaborators, partner_code: str, partner_key: str, partner_reference: str
) -> None:
    """The partner-side call behind "Gérer ma liaison": the partner deletes its own link.

    The partner proves itself with its API key (``settings.partner_keys`` holds SHA-256
    digests) and names the link by its own reference for the user.

    Raises:
        UnknownPartner, PartnerNotAuthorised, PartnerLinkNotFound.
    """
    if partner(partner_code) is None:
        raise UnknownPartner(partner=partner_code)
    expected = ctx.settings.partner_keys.get(partner_code)
    given = hashlib.sha256(partner_key.encode("utf-8")).hexdigest()
    if expected is None or not hmac.compare_digest(given, expected.lower()):
        raise PartnerNotAuthorised(partner=partner_code)
    plausible = 0 < len(partner_reference) <= 128 and partner_reference.isprintable()
    if not plausible or not ctx.store.delete_partner_link(partner_code, partner_reference):
        raise PartnerLinkNotFound(partner=partner_code)
