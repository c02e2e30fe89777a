"""Shorten a street label to La Poste's length (NF Z10-011) with the shipped abbreviation table.

The table (``data/address/normadresse.csv``, Etalab's rules, Apache-2.0) lists regular
expressions by step: 1 street type at the start, 2 titles, 3 first names, 4 general words, 5 street
types anywhere, 6 SAINT and similar, 9 particles of proper names to protect. A label that already
fits is only folded (capitals, no accents, no punctuation). A longer one goes through the steps in
Etalab's order, 1, 2, 4, 5, 3, 6, then the street type at the start again, 9, then articles are
dropped, then words become initials, and the first state that fits is returned:

- After a step has rewritten the label, its abbreviations are adopted one word at a time from the
  left, and the step stops at the first word that makes the label fit (``12 avenue`` keeps
  as many words whole as possible). Multi-word forms (``LIEUTENANT DE VAISSEAU`` → ``LTDV``) are
  adopted whole.
- A word written in lower case by a rule is an abbreviation or a protected particle: later steps
  leave it alone (``DE`` in ``DE GAULLE`` is never dropped as an article).
- The first and the last word are never reduced to initials, and a first name right after
  ``SAINT`` is a saint's name, not reduced either (``SAINT VINCENT``).

Where our rules differ from js-normadresse (the reference whose test cases we check): a first name
must be the whole word (``PAULINE`` is not ``PAUL``, as in Etalab's Python original), a step-1
street type must start a word, and a rule that would change the number of words is padded so that
words stay aligned (or left out when it would add words).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from msp_portal.domain.postal_text import fold

__all__ = ["LABEL_MAX", "shorten_label"]

LABEL_MAX = 32
"""Etalab's limit for a street label: it leaves 6 characters of the 38 for the house number."""

_PLACEHOLDER = "@"  # marks a word absorbed by a multi-word abbreviation ("nd @" for NOTRE DAME)
_ARTICLES = re.compile(r" (?:LE|LA|LES|AU|AUX|DE|DU|DES|D|ET|A|L|SUR|EN) ")
_PROTECTED_ARTICLES = re.compile(r" (?:le|la|les|au|aux|de|du|des|d|et|a|l|sur) ")


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    replacement: str
    literal: str = ""  # text every match contains: a rule whose literal is absent is skipped


_QUANTIFIERS = "?*+{"
_LITERAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ")


def _required_literal(pattern: str) -> str:
    """The longest run of plain characters that every match of ``pattern`` must contain.

    Only text outside groups counts, and none when the pattern has a top-level alternation; a
    character followed by a quantifier is optional. ``""`` when there is no such run.
    """
    runs, run, depth = [], "", 0
    for i, char in enumerate(pattern):
        optional = pattern[i + 1 : i + 2] in tuple(_QUANTIFIERS) and i + 1 < len(pattern)
        if char == "|" and depth == 0:
            return ""
        if depth == 0 and char in _LITERAL_CHARS and not optional:
            run += char
            continue
        runs.append(run)
        run = ""
        if char == "\\":
            return max(runs, key=len)  # escapes are not worth reading here
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
    runs.append(run)
    return max(runs, key=len)


@dataclass(frozen=True)
class _Table:
    type_at_start: tuple[_Rule, ...]  # step 1
    titles: tuple[_Rule, ...]  # step 2
    first_names: tuple[_Rule, ...]  # step 3 (whole words)
    general: tuple[_Rule, ...]  # step 4
    types_anywhere: tuple[_Rule, ...]  # step 5, then step 1's types inside the label
    saints: tuple[_Rule, ...]  # step 6
    types_first_word: tuple[_Rule, ...]  # step 5's types as the first word
    particles: tuple[_Rule, ...]  # step 9


def _read_table() -> list[tuple[float, str, str]]:
    raw = files("msp_portal").joinpath("data/address/normadresse.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO(raw))
    return [(float(row["etape"]), row["long"], row["court"]) for row in rows]


@cache
def _table() -> _Table:
    """The compiled rules, read once per process (only when a label needs shortening)."""
    steps: dict[float, list[tuple[str, str]]] = {}
    for step, long, short in _read_table():
        steps.setdefault(step, []).append((long, short))

    def rules(step: float, make: Callable[[str, str], _Rule]) -> tuple[_Rule, ...]:
        return tuple(make(long, short) for long, short in steps.get(step, []))

    def at_word_start(long: str, short: str) -> _Rule:
        return _Rule(re.compile(r"(?<![A-Z0-9])(?:" + long + ")"), short, _required_literal(long))

    def inside(long: str, short: str) -> _Rule:
        return _Rule(re.compile(r"(?<= )(?:" + long + ")(?= )"), short, _required_literal(long))

    def inside_lower(long: str, short: str) -> _Rule:
        long = long.strip()
        pattern = re.compile(r"(?<= )(?:" + long + ")(?= )")
        return _Rule(pattern, short.strip().lower(), _required_literal(long))

    def word_lower(long: str, short: str) -> _Rule:
        pattern = re.compile(r"(?:^|(?<= ))(?:" + long + ")(?= )")
        return _Rule(pattern, short.lower(), _required_literal(long))

    def first_word_lower(long: str, short: str) -> _Rule:
        long = long.strip()
        pattern = re.compile(r"^(?:" + long + ")(?= )")
        return _Rule(pattern, short.strip().lower(), _required_literal(long))

    def whole_word(long: str, short: str) -> _Rule:
        return _Rule(re.compile(long), short.lower())

    def as_is(long: str, short: str) -> _Rule:
        return _Rule(re.compile(long), short, _required_literal(long))

    return _Table(
        type_at_start=rules(1, at_word_start),
        titles=rules(2, inside),
        first_names=rules(3, whole_word),
        general=rules(4, word_lower),
        types_anywhere=rules(5, inside_lower) + rules(1, inside_lower),
        saints=rules(6, inside_lower),
        types_first_word=rules(5, first_word_lower),
        particles=rules(9, as_is),
    )


def _apply(rule: _Rule, text: str) -> str:
    """Replace the first match of ``rule`` in ``text``, keeping one word per word replaced."""

    def replace(match: re.Match[str]) -> str:
        matched = match.group(0)
        expanded = match.expand(rule.replacement) if "\\" in rule.replacement else rule.replacement
        words = expanded.split()
        wanted = len(matched.split())
        if not words or len(words) > wanted:
            return matched  # would break the word alignment the adoption relies on
        words += [_PLACEHOLDER] * (wanted - len(words))
        lead = matched[: len(matched) - len(matched.lstrip(" "))]
        trail = matched[len(matched.rstrip(" ")) :]
        return lead + " ".join(words) + trail

    return rule.pattern.sub(replace, text, count=1)


def _adopt(before: str, after: str, limit: int) -> str:
    """Take ``after``'s words from the left until the label fits; the rest stay as ``before``."""
    long: list[str | None] = list(before.split(" "))
    short: list[str | None] = list(after.split(" "))
    if len(long) != len(short):  # cannot happen with aligned rules; keep the safe choice
        return after if len(after) <= len(before) else before
    for i in range(len(short) - 1, 0, -1):
        if short[i] == _PLACEHOLDER:  # a multi-word form is adopted whole
            long[i - 1] = short[i - 1]
            long[i] = short[i] = None
    chosen = [w for w in short if w is not None]
    for i in range(1, len(short)):
        chosen = [w for w in short[:i] if w is not None] + [w for w in long[i:] if w is not None]
        if len(" ".join(chosen)) <= limit:
            break
    return " ".join(chosen)


def _rewrite(text: str, rules: tuple[_Rule, ...], passes: int = 1) -> str:
    for _ in range(passes):
        for rule in rules:
            # Exact shortcut: a match contains the rule's literal ("" is in every text).
            if rule.literal in text:
                text = _apply(rule, text)
    return text


def _first_names(text: str, table: _Table) -> str:
    words = text.split(" ")
    for i in range(1, len(words) - 1):
        if words[i - 1].startswith("SAINT"):
            continue  # SAINT JEAN is a saint, not a first name
        for rule in table.first_names:
            if rule.pattern.fullmatch(words[i]):
                words[i] = rule.replacement
    return " ".join(words)


def shorten_label(label: str, limit: int = LABEL_MAX) -> str:
    """``label`` folded to capitals, abbreviated only as much as needed to fit in ``limit``.

    The result may still be longer than ``limit`` when no rule applies (one long word, for
    example): the caller decides what to do then.
    """
    text = fold(label)
    if len(text) <= limit:
        return text
    table = _table()
    steps: tuple[Callable[[str], str], ...] = (
        lambda t: _rewrite(t, table.type_at_start),
        lambda t: _rewrite(t, table.titles, passes=2),
        lambda t: _rewrite(t, table.general, passes=3),
        lambda t: _rewrite(t, table.types_anywhere, passes=2),
        lambda t: _first_names(t, table),
        lambda t: _rewrite(t, table.saints, passes=2),
        lambda t: _rewrite(t, table.types_first_word),
    )
    for step in steps:
        text = _adopt(text, step(text), limit)
        if len(text) <= limit:
            return text.upper()
    text = _rewrite(text, table.particles)
    for _ in range(6):
        text = _ARTICLES.sub(" ", text, count=1)
        if len(text) <= limit:
            return text.upper()
    words = text.split(" ")
    for i in range(1, len(words) - 1):
        word = words[i]
        if len(word) > 1 and word == word.upper() and word[0].isalpha():
            words[i] = word[0]
            text = " ".join(words)
            if len(text) <= limit:
                return text.upper()
    for _ in range(4):
        text = _PROTECTED_ARTICLES.sub(" ", text, count=1)
        if len(text) <= limit:
            break
    return text.upper()
