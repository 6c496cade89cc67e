"""The staff tools' texts: extracted from templates and pages into .po catalogues, and checked.

`python -m teilhabe.ui.catalogues --update [PACKAGE_DIR ...]` (or `make ui-messages`)
adds new message ids to the shared catalogues under `locale/` and to each service's
under `<package>/templates/locale/`; the German entries are then translated by hand.
`--check` fails when a German translation is missing. A text used by the shared layout
belongs to the shared catalogue only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po

from teilhabe.ui.i18n import DOMAIN, LANGUAGES, SHARED_CATALOGUES, catalogue_file, read_catalogue

UI_DIR = Path(__file__).parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
_JINJA = "jinja2.ext:babel_extract"
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
_SKIPPED_DIRS = {"node_modules", "static", "locale", "__pycache__"}


def _keep_directory(path: str) -> bool:
    return Path(path).name not in _SKIPPED_DIRS


def extract(package_dir: Path, *, shared: bool, exclude: Iterable[str] = ()) -> Catalog:
    """Every message id used by the shared UI (`shared`) or by a service's pages."""
    if shared:
        methods = [("**.py", "python"), ("templates/**.html", _JINJA)]
    else:
        # A service's pages: one module (and `<area>_pages.py` beside it), or a package of them
        # (one module a screen area).
        methods = [
            ("pages.py", "python"),
            ("pages/**.py", "python"),
            ("*_pages.py", "python"),  # a screen area's module beside pages.py
            ("templates/**.html", _JINJA),
        ]
    excluded = set(exclude)
    catalog = Catalog(domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        package_dir,
        method_map=methods,
        options_map={"templates/**.html": _JINJA_OPTIONS},
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
        directory_filter=_keep_directory,
    ):
        key = message if isinstance(message, str) else message[0]
        if key in excluded:
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def shared_messages() -> Catalog:
    return extract(UI_DIR, shared=True)


def service_messages(package_dir: Path) -> Catalog:
    shared_ids = {message.id for message in shared_messages() if isinstance(message.id, str)}
    return extract(package_dir, shared=False, exclude=shared_ids)


def catalogue_root(package_dir: Path | None) -> Path:
    return SHARED_CATALOGUES if package_dir is None else package_dir / "templates" / "locale"


def update(template: Catalog, root: Path) -> None:
    for language in LANGUAGES:
        catalogue = read_catalogue(root, language) or _new_catalogue(language)
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        path = catalogue_file(root, language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            # Without line numbers, so that moving code does not touch the catalogues.
            write_po(file, catalogue, width=100, ignore_obsolete=True, include_lineno=False)


def _new_catalogue(language: str) -> Catalog:
    return Catalog(
        locale=language,
        domain=DOMAIN,
        header_comment=f"# Texts of the Teilhabe staff tools ({language}).\n#",
        project="Teilhabe staff tools",
        version="1.0",
        copyright_holder="Teilhabe contributors",
        msgid_bugs_address="",
        fuzzy=False,
    )


def missing(template: Catalog, root: Path, language: str) -> list[str]:
    """Message ids of `template` without a translation in `root`'s `language` catalogue."""
    catalogue = read_catalogue(root, language) or Catalog(locale=language, domain=DOMAIN)
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        if (
            found is None
            or found.fuzzy
            or not strings
            or (isinstance(strings, tuple) and not all(strings))
        ):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teilhabe.ui.catalogues")
    parser.add_argument("packages", nargs="*", type=Path, help="service package directories")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--update", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    scopes: list[tuple[Path | None, Catalog]] = [(None, shared_messages())]
    scopes += [(package, service_messages(package)) for package in args.packages]
    failed = False
    for package, template in scopes:
        root = catalogue_root(package)
        if args.update:
            update(template, root)
            print(f"{root}: {len(template)} messages")
        gaps = missing(template, root, "de")
        if gaps:
            failed = True
            print(f"{root}: {len(gaps)} without a German translation:", file=sys.stderr)
            for gap in gaps:
                print(f"  {gap}", file=sys.stderr)
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
