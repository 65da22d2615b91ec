"""Case-insensitive text search that folds Unicode the same way on every database.

``q`` matches a task when its folded form is in the folded title or description.
Folding is done here, in Python, for both sides: the repository stores each task's
folded title and description in columns of their own (``title_folded``,
``description_folded``), and a query is folded before it is compared. Neither
database's own ``lower()`` is used: SQLite's knows only ASCII, and PostgreSQL's depends
on the server's locale and does not fold ``ß`` to ``ss``.
"""

import re
import unicodedata


def fold(text: str) -> str:
    """Unicode's compatibility caseless form (NFKC, case folding, NFKC again): ``ÄPFEL``,
    ``äpfel`` and ``A\u0308pfel`` (a decomposed ``Ä``) are one word; so are ``Straße`` and
    ``STRASSE``."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def fold_optional(text: str | None) -> str | None:
    return None if text is None else fold(text)


def title_words(text: str) -> list[str]:
    """The folded words of ``text`` (its whole folded text if it has none): a title
    matches when it holds every one of them."""
    folded = fold(text.strip())
    return re.findall(r"\w+", folded) or [folded]


def without_accents(folded: str) -> str:
    """A folded text without its combining marks: ``café`` and ``cafe`` are one word."""
    decomposed = unicodedata.normalize("NFD", folded)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare)
