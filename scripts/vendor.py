#!/usr/bin/env python3
"""Copy the front-end files the templates use from node_modules/ into static/vendor/.

static/vendor/ is git-ignored and rebuilt from the pinned npm packages (package-lock.json),
so the browser gets exactly the audited versions and nothing is fetched from a CDN.

The copy is a sync: files that are already identical are left alone (quiet, fast second runs)
and files no longer listed in MANIFEST are removed, so static/vendor/ holds exactly what the
manifest says. A stylesheet or script that names a source map gets that map copied next to it;
whitenoise's CompressedManifestStaticFilesStorage rewrites `sourceMappingURL` comments and
fails collectstatic when the map is missing.

Standard library only: it also runs in the Docker build before the virtualenv matters.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (source glob under node_modules/, destination folder under static/vendor/).
# Adding a front-end package is one line here plus its pin in package.json, e.g.
#   ("fullcalendar/all/global.js", "fullcalendar"),
#   ("chart.js/dist/chart.umd.js", "chart.js"),
#   ("tom-select/dist/css/tom-select.bootstrap5.min.css", "tom-select/css"),
#   ("tom-select/dist/js/tom-select.complete.min.js", "tom-select/js"),
#   ("vazirmatn/fonts/webfonts/*.woff2", "vazirmatn/fonts"),
MANIFEST: list[tuple[str, str]] = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/css"),
    ("bootstrap/dist/css/bootstrap.rtl.min.css", "bootstrap/css"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/js"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/font"),
    ("bootstrap-icons/font/fonts/*.woff", "bootstrap-icons/font/fonts"),
    ("bootstrap-icons/font/fonts/*.woff2", "bootstrap-icons/font/fonts"),
    # FullCalendar 7: the browser build (its own Temporal fallback is bundled, so no
    # temporal-polyfill), the skeleton and classic theme styles, and the locales we ship.
    ("fullcalendar/all/global.js", "fullcalendar"),
    ("fullcalendar/skeleton.css", "fullcalendar"),
    ("fullcalendar/themes/classic/global.js", "fullcalendar/themes/classic"),
    ("fullcalendar/themes/classic/theme.css", "fullcalendar/themes/classic"),
    ("fullcalendar/themes/classic/palette.css", "fullcalendar/themes/classic"),
    ("fullcalendar/locales/tr/global.js", "fullcalendar/locales/tr"),
    ("fullcalendar/locales/fa/global.js", "fullcalendar/locales/fa"),
    ("fullcalendar/locales/pl/global.js", "fullcalendar/locales/pl"),
]

# The last sourceMappingURL comment of a .css or .js file (both comment styles).
SOURCE_MAP_RE = re.compile(rb"[#@]\s*sourceMappingURL=([^\s*'\"]+)")


def source_map_of(path: Path) -> Path | None:
    """The map file a minified css/js names, if it names a relative one."""
    if path.suffix not in {".css", ".js"}:
        return None
    found = SOURCE_MAP_RE.findall(path.read_bytes()[-4096:])
    if not found:
        return None
    name = found[-1].decode()
    if name.startswith("data:") or "://" in name:
        return None
    return path.parent / name


def plan(node_modules: Path) -> dict[Path, Path]:
    """Map each destination (relative to static/vendor) to its source file."""
    wanted: dict[Path, Path] = {}
    for pattern, dest_dir in MANIFEST:
        matches = sorted(node_modules.glob(pattern))
        if not matches:
            raise SystemExit(
                f"vendor.py: nothing matches node_modules/{pattern}; "
                "is the package in package.json and installed (npm ci)?"
            )
        for src in matches:
            wanted[Path(dest_dir) / src.name] = src
            map_src = source_map_of(src)
            if map_src is None:
                continue
            if not map_src.is_file():
                raise SystemExit(f"vendor.py: {src} names a source map that is missing: {map_src}")
            wanted[Path(dest_dir) / map_src.relative_to(src.parent)] = map_src
    return wanted


def sync(node_modules: Path, dest: Path) -> int:
    """Bring dest in line with the manifest; return how many files changed."""
    wanted = plan(node_modules)
    changed = 0
    for rel, src in sorted(wanted.items()):
        target = dest / rel
        if target.is_file() and filecmp.cmp(src, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        changed += 1
    if dest.is_dir():
        for path in sorted(dest.rglob("*"), reverse=True):
            rel = path.relative_to(dest)
            if path.is_file() and rel not in wanted:
                path.unlink()
                changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--dest", type=Path, default=ROOT / "static" / "vendor")
    parser.add_argument("--list", action="store_true", help="print the files it would produce")
    args = parser.parse_args()

    if args.list:
        for rel in sorted(plan(args.node_modules)):
            print(rel)
        return 0
    changed = sync(args.node_modules, args.dest)
    if changed:
        print(f"==> static/vendor: {changed} file(s) updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
