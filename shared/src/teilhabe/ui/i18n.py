"""Texts of the staff tools from gettext catalogues: German first, English second.

Message ids are English; `de` is the language every tool starts in. Catalogues are plain
.po files (the shared ones under `locale/`, a service's own under its templates'
`locale/`), compiled in memory the first time a language is needed, so nothing binary is
built or committed and a fixed .po takes effect at the next start.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
# en_GB: day-first dates and a 24-hour clock, closest to what German colleagues expect.
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB"}
SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
SHARED_CATALOGUES = Path(__file__).parent / "locale"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


# The languages the tools and their messages are written in, named in the reader's
# language: for choosing the language of someone's messages.
MESSAGE_LANGUAGES = {"de": N_("German"), "en": N_("English")}


def catalogue_file(root: Path, language: str) -> Path:
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(root: Path, language: str) -> Catalog | None:
    path = catalogue_file(root, language)
    if not path.exists():
        return None
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


@functools.cache
def translations(language: str, roots: tuple[Path, ...]) -> Translations:
    """The merged catalogues of `roots` for `language`; later roots win."""
    merged = Catalog(locale=language, domain=DOMAIN)
    for root in roots:
        catalogue = read_catalogue(root, language)
        if catalogue is None:
            continue
        for message in catalogue:
            if message.id and message.string and not message.fuzzy:
                # Babel's Catalog keeps the first string set for an id (a second only
                # merges its comments and flags): remove it, so the later root wins.
                if message.id in merged:
                    del merged[message.id]
                merged[message.id] = message
    buffer = BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Texts:
    """The texts of one request, in its language."""

    language: str
    catalogue: Translations
    # Values a text may name with %(name)s (the city, its mail domain), see `fill`.
    placeholders: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, language: str, roots: Sequence[Path]) -> Texts:
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        return cls(language, translations(language, (SHARED_CATALOGUES, *roots)))

    @property
    def locale(self) -> str:
        return BABEL_LOCALES[self.language]

    def gettext(self, message: str) -> str:
        return str(self.catalogue.gettext(message))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return str(self.catalogue.ngettext(singular, plural, count))

    def fill(self, text: str) -> str:
        """`text` with its %(city)s-style placeholders filled in; unchanged without any."""
        if "%(" not in text:
            return text
        try:
            return text % self.placeholders
        except (KeyError, TypeError, ValueError):
            return text

    def translated(self, message: str) -> str | None:
        """`message` in this language, or None where the catalogue has no translation.

        Lets a page fall back to a generic text instead of showing English in German.
        """
        text = self.gettext(message)
        if text == message and self.language != SOURCE_LANGUAGE:
            return None
        return text
