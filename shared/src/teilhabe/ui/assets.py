"""KERN's stylesheet and fonts, and Swagger UI, copied from npm packages into static/vendor.

`make ui-assets` runs `npm ci` here (package-lock.json pins @kern-ux/native,
swagger-ui-dist and, for the browser tests, axe-core) and then
`python -m teilhabe.ui.assets`, which copies only what the pages load: the minified
stylesheet, the Fira Sans faces it names, and the licence; Swagger UI's script, styles,
icon and licence for every API's /docs. Nothing is fetched at run time; pages render
without the copy, only unstyled.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

UI_DIR = Path(__file__).parent
STATIC_DIR = UI_DIR / "static"
NODE_MODULES = UI_DIR / "node_modules"
KERN_PACKAGE = NODE_MODULES / "@kern-ux" / "native"
KERN_VERSION = "2.7.2"
VENDOR_DIR = STATIC_DIR / "vendor" / "kern"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
SWAGGER_UI_PACKAGE = NODE_MODULES / "swagger-ui-dist"
SWAGGER_UI_VERSION = "5.35.0"
SWAGGER_UI_DIR = STATIC_DIR / "vendor" / "swagger-ui"
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE")
_FONT_URL = re.compile(r"""url\(\s*["']?\./([^"')]+)["']?\s*\)""")


def vendor_ready() -> bool:
    return (VENDOR_DIR / "kern.min.css").is_file()


def _require_version(package: Path, version: str) -> None:
    manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if manifest.get("version") != version:
        raise RuntimeError(
            f"{manifest.get('name')} {manifest.get('version')} installed, {version} expected: "
            "run `npm ci` in shared/src/teilhabe/ui"
        )


def copy_vendor_assets() -> list[Path]:
    """Copy the KERN and Swagger UI files the pages link to; returns what was written."""
    _require_version(KERN_PACKAGE, KERN_VERSION)
    _require_version(SWAGGER_UI_PACKAGE, SWAGGER_UI_VERSION)
    dist = KERN_PACKAGE / "dist"
    fonts_css = (dist / "fonts" / "fira-sans.css").read_text(encoding="utf-8")
    files = {
        dist / "kern.min.css": VENDOR_DIR / "kern.min.css",
        dist / "fonts" / "fira-sans.css": VENDOR_DIR / "fonts" / "fira-sans.css",
        KERN_PACKAGE / "LICENSE.md": VENDOR_DIR / "LICENSE.md",
    }
    for relative in sorted(set(_FONT_URL.findall(fonts_css))):
        files[dist / "fonts" / relative] = VENDOR_DIR / "fonts" / relative
    for name in SWAGGER_UI_FILES:
        files[SWAGGER_UI_PACKAGE / name] = SWAGGER_UI_DIR / name
    for directory in (VENDOR_DIR, SWAGGER_UI_DIR):
        if directory.exists():
            shutil.rmtree(directory)
    for source, target in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return list(files.values())


def main() -> int:
    if not KERN_PACKAGE.is_dir():
        print(f"{KERN_PACKAGE} is missing: run `npm ci` in {UI_DIR}", file=sys.stderr)
        return 1
    written = copy_vendor_assets()
    size = sum(path.stat().st_size for path in written)
    print(
        f"KERN {KERN_VERSION}, Swagger UI {SWAGGER_UI_VERSION}: {len(written)} files, "
        f"{size // 1024} KiB in {VENDOR_DIR.parent}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
