"""Text as the pre-filter reads it: one form for every way of writing the same letters.

``normalise`` folds what a reader (or a model) would read as the same text into one
form, so that a pattern written in plain ASCII matches however the words were typed:

- NFKC: fullwidth letters (``ｉｇｎｏｒｅ``), mathematical letters (``𝐢𝐠𝐧𝐨𝐫𝐞``), circled
  letters and ligatures become plain ones;
- case folding (``IGNORE``, ``İgnore``);
- invisible characters are removed: every format character (Unicode category ``Cf``:
  zero-width space, joiners, U+2060 word joiner, U+FEFF, the soft hyphen, bidi
  controls, tag characters), and combining marks (so ``ïgnöre`` and a stray
  combining dot read as ``ignore``);
- common homoglyphs fold to the Latin letter they look like: Cyrillic (``і о е а р с
  у х ...``), Armenian, Greek (``ο α ε ι ν ρ ...``), and Latin small capitals;
- every run of white space becomes one space.

The result is for matching only: it is never shown, stored or sent anywhere.
"""

import re
import unicodedata

# Capitals that look like a Latin capital; folded before case folding, since some look
# like another letter once lower-cased (Greek Ν is N, its ν is v; Η is H, η is n).
CAPITALS = {
    # Greek (and the final sigma, which case folding turns into σ)
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m",
    "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "ς": "s",
    # Cyrillic
    "А": "a", "В": "b", "Е": "e", "Ѕ": "s", "І": "i", "Ј": "j", "К": "k", "М": "m",
    "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t", "У": "y", "Х": "x", "Ү": "y",
}  # fmt: skip
# Letters that look like a Latin letter, after case folding (so only lower case).
LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "г": "r", "е": "e", "һ": "h", "н": "h", "і": "i", "ј": "j",
    "к": "k", "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t",
    "у": "y", "ү": "y", "х": "x", "ԁ": "d", "ԝ": "w", "с": "c", "ѵ": "v", "ѡ": "w",
    # Armenian
    "ո": "n", "ց": "g", "օ": "o", "ս": "u",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϳ": "j",
    # Latin look-alikes and small capitals
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʟ": "l", "ᴀ": "a",
    "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ᴊ": "j", "ᴋ": "k",
    "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}  # fmt: skip
CAPITAL_HOMOGLYPHS = str.maketrans(CAPITALS)
HOMOGLYPHS = str.maketrans(LOOKALIKES)
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` folded for matching (see the module's docstring)."""
    composed = unicodedata.normalize("NFKC", text).translate(CAPITAL_HOMOGLYPHS)
    folded = composed.casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    visible = "".join(c for c in decomposed if unicodedata.category(c) not in _INVISIBLE)
    latin = unicodedata.normalize("NFKC", visible.translate(HOMOGLYPHS))
    return _SPACE.sub(" ", latin).strip()
