"""KERN's stylesheet and fonts, copied from the npm package into static/vendor at build time.

`make ui-assets` runs `npm ci` here (package-lock.json pins @kern-ux/native and, for the
browser tests, axe-core) and then `python -m teilhabe.ui.assets`, which copies only what
the pages load: the minified stylesheet, the Fira Sans faces it names, and the licence.
Nothing is fetched at run time; pages render without the copy, only unstyled.
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
_FONT_URL = re.compile(r"""url\(\s*["']?\./([^"')]+)["']?\s*\)""")


def vendor_ready() -> bool:
    return (VENDOR_DIR / "kern.min.css").is_file()


def copy_vendor_assets() -> list[Path]:
    """Copy the KERN files the layout links to; returns what was written."""
    manifest = json.loads((KERN_PACKAGE / "package.json").read_text(encoding="utf-8"))
    if manifest.get("version") != KERN_VERSION:
        raise RuntimeError(
            f"@kern-ux/native {manifest.get('version')} installed, {KERN_VERSION} expected: "
            "run `npm ci` in shared/src/teilhabe/ui"
        )
    dist = KERN_PACKAGE / "dist"
    fonts_css = (dist / "fonts" / "fira-sans.css").read_text(encoding="utf-8")
    files = {
        dist / "kern.min.css": VENDOR_DIR / "kern.min.css",
        dist / "fonts" / "fira-sans.css": VENDOR_DIR / "fonts" / "fira-sans.css",
        KERN_PACKAGE / "LICENSE.md": VENDOR_DIR / "LICENSE.md",
    }
    for relative in sorted(set(_FONT_URL.findall(fonts_css))):
        files[dist / "fonts" / relative] = VENDOR_DIR / "fonts" / relative
    if VENDOR_DIR.exists():
        shutil.rmtree(VENDOR_DIR)
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
    print(f"KERN {KERN_VERSION}: {len(written)} files, {size // 1024} KiB in {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
