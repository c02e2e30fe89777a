r"""The first check on every text the public API receives: a string, of sane size, encodable.

A JSON API passes through what a client sends, ``"\ud800"`` (a lone surrogate) included; such a
string cannot be encoded, hashed or stored. :func:`check_text` refuses it, and any non-string,
over-long or control-character-laden value, with :class:`msp_portal.errors.InvalidInput` naming
the field, before any rule, counter or store is reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from msp_portal.errors import InvalidInput

# C0 controls but the common blanks (tab, line feed, carriage return: a pasted code or address may
# end with one, and each field's own rule deals with blanks), DEL, and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class TextField:
    """A text parameter of the public API: its name, its size cap, whether controls may appear.

    The caps are generous upper bounds that no honest value reaches; the rules of each field
    (identifier form, email form, password policy...) apply after this check.
    """

    name: str
    max_chars: int
    controls: bool = False


IDENTIFIER = TextField("identifier", 256)
EMAIL = TextField("email", 1024)
TOKEN = TextField("token", 256)
SESSION_TOKEN = TextField("session_token", 256)
CODE = TextField("code", 64)
PHONE = TextField("phone", 64)
CAPTCHA = TextField("captcha_response", 8192)
CLIENT_KEY = TextField("client_key", 256)
PARTNER_CODE = TextField("partner_code", 64)
PARTNER_KEY = TextField("partner_key", 1024)
PARTNER_REFERENCE = TextField("reference", 256)
DOCUMENT_ID = TextField("document_id", 256)
DOCUMENT_TITLE = TextField("title", 4096)
PROCEDURE = TextField("procedure", 128)
DOSSIER_ID = TextField("dossier_id", 256)
SLOT = TextField("slot", 128)
FILE_NUMBER = TextField("file_number", 64)
DOSSIER_PASSWORD = TextField("password", 256)
PAGE = TextField("page", 256)
ORGANISATION = TextField("organisation", 64)
STATUS = TextField("status", 64)
STATUS_MESSAGE = TextField("message", 8192)


def password_field(max_length: int) -> TextField:
    """Passwords: any character but surrogates, up to 4x the policy's maximum.

    NFKC can lengthen a string, so the policy's own maximum is checked after normalisation;
    this cap only stops megabyte strings before they are normalised and hashed. Control
    characters are let through: passwords made under earlier rules may contain them.
    """
    return TextField("password", 4 * max_length, controls=True)


def check_text(value: object, field: TextField, name: str | None = None) -> str:
    """Return ``value`` if it is a string the field may receive, else raise InvalidInput.

    ``name`` is the parameter's name, reported as the ``field`` fact (default: the field's).

    Raises:
        InvalidInput: facts ``field`` and ``reason`` (``not-text``, ``too-long``,
            ``unencodable`` for lone surrogates, ``control-characters``).
    """
    label = name or field.name
    if not isinstance(value, str):
        raise InvalidInput(field=label, reason="not-text")
    if len(value) > field.max_chars:
        raise InvalidInput(field=label, reason="too-long", maximum=field.max_chars)
    if _SURROGATES.search(value):
        raise InvalidInput(field=label, reason="unencodable")
    if not field.controls and _CONTROLS.search(value):
        raise InvalidInput(field=label, reason="control-characters")
    return value


def optional_text(value: object, field: TextField, name: str | None = None) -> str | None:
    """:func:`check_text` for an optional parameter (None stays None)."""
    return None if value is None else check_text(value, field, name)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (it could not be encoded in UTF-8)."""
    return bool(_SURROGATES.search(text))
