"""Case-insensitive text search that folds Unicode the same way on every database.

``q`` matches a task when its folded form is in the folded title or description.
Folding is done here, in Python, for both sides: the repository stores each task's
folded title and description in columns of their own (``title_folded``,
``description_folded``), and a query is folded before it is compared. Neither
database's own ``lower()`` is used: SQLite's knows only ASCII, and PostgreSQL's depends
on the server's locale and does not fold ``ß`` to ``ss``.
"""

import unicodedata


def fold(text: str) -> str:
    """Unicode's compatibility caseless form (NFKC, case folding, NFKC again): ``ÄPFEL``,
    ``äpfel`` and ``A\u0308pfel`` (a decomposed ``Ä``) are one word; so are ``Straße`` and
    ``STRASSE``."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def fold_optional(text: str | None) -> str | None:
    return None if text is None else fold(text)
