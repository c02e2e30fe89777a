"""A text captcha that works without images or scripts: "Combien font 3 plus 4 ?".

It stands in for the service's captcha provider (rules A3, A4 ask for one) so that a portal
works out of the box and stays usable with a screen reader. It stops naive form-filling
robots, not a determined attacker: the per-client throttle and the account lock are the real
protection. A service with a captcha provider passes its own object with the same two methods.

A question is stateless: its token carries the numbers' HMAC, its expiry and a nonce; a solved
token is remembered until it expires so that it is accepted once per process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from msp_portal.ports import Clock

QUESTION_VALIDITY = timedelta(minutes=20)
_WORDS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix")
SEPARATOR = ":"


@dataclass(frozen=True)
class CaptchaQuestion:
    """A question to show (``prompt``) and the token to send back with the answer."""

    prompt: str
    token: str


def captcha_response(token: str, answer: str) -> str:
    """The single string the portal's ``Captcha.verify`` receives: token and typed answer."""
    return f"{token}{SEPARATOR}{answer.strip()}"


class QuestionCaptcha:
    """Arithmetic questions signed with the portal's secret key (also the portal's Captcha)."""

    def __init__(self, secret: bytes, clock: Clock, *, validity: timedelta = QUESTION_VALIDITY):
        self._secret = hashlib.sha256(b"captcha\x00" + secret).digest()
        self._clock = clock
        self._validity = validity
        self._used: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def question(self) -> CaptchaQuestion:
        """A new question."""
        a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
        expires = int((self._clock() + self._validity).timestamp())
        nonce = secrets.token_urlsafe(12)
        payload = f"{expires}.{nonce}"
        token = f"{payload}.{self._mac(payload, a + b)}"
        return CaptchaQuestion(f"Combien font {_WORDS[a]} plus {_WORDS[b]} ? (en chiffres)", token)

    def verify(self, response: str) -> bool:
        """Whether ``response`` (see :func:`captcha_response`) answers a live, unused question."""
        token, _, answer = response.rpartition(SEPARATOR)
        expires_text, _, rest = token.partition(".")
        nonce, _, mac = rest.partition(".")
        answer = answer.strip()
        if not (expires_text.isdigit() and answer.isdigit() and len(answer) <= 2 and nonce):
            return False
        now = self._clock()
        if int(expires_text) <= now.timestamp():
            return False
        expected = self._mac(f"{expires_text}.{nonce}", int(answer))
        if not hmac.compare_digest(mac.encode("ascii", "replace"), expected.encode("ascii")):
            return False
        with self._lock:
            for key in [k for k, until in self._used.items() if until <= now]:
                del self._used[key]
            if nonce in self._used:
                return False
            self._used[nonce] = datetime.fromtimestamp(int(expires_text), tz=now.tzinfo)
        return True

    def _mac(self, payload: str, total: int) -> str:
        digest = hmac.new(self._secret, f"{payload}|{total}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")
