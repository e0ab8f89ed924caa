"""Text helpers shared by the registries: normalising names for lookup and suggesting close matches."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Fold a name to a lookup key: lower case, accents removed, punctuation and spaces collapsed.

    ``"Côte d'Ivoire"`` and ``"cote d ivoire"`` give the same key; so do ``"Rare-earth"`` and
    ``"rare earth"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", ascii_only.casefold()).strip()


def suggest(text: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """Return up to ``n`` of ``choices`` that look like ``text`` (for "did you mean" messages)."""
    key = normalise(text)
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(normalise(choice), choice)
    keys = list(by_key)
    matches = difflib.get_close_matches(key, keys, n=n, cutoff=0.6)
    # Prefix matches ("germ" -> germanium) help with short inputs that difflib scores low.
    if len(matches) < n and len(key) >= 2:
        matches += [k for k in keys if k.startswith(key) and k not in matches][: n - len(matches)]
    return [by_key[m] for m in matches]


def split_list(text: str) -> list[str]:
    """Split a comma-separated user list, dropping blanks: ``"NL, DE,,BE"`` -> ``["NL", "DE", "BE"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


# Lead characters that UTF-8 text shows after being decoded as Latin-1/Windows-1252: "Ã" (U+00C3) starts
# the broken form of most accented Latin letters, "Â" (U+00C2) of U+0080-U+00BF, "â€" of curly quotes.
_MOJIBAKE_MARKERS = ("\u00c3", "\u00c2", "\u00e2\u20ac")


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252 or Latin-1, e.g. BACI's broken "Côte d'Ivoire".

    Returns ``text`` unchanged when it shows no sign of that mix-up or cannot be repaired, so it is safe
    to call on clean text.
    """
    if not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text
