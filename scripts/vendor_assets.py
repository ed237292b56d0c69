"""Copy the browser libraries the pages use from node_modules/ into web/static/vendor/.

Run after `npm ci` (scripts/setup.sh does both). Nothing is loaded from a CDN at run time:
the templates reference only /static/vendor/<file>.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "web" / "static" / "vendor"

# destination name -> path under node_modules (UMD builds: they define globals, no bundler needed)
ASSETS = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "layout-base.js": "layout-base/layout-base.js",  # needed by cose-base
    "cose-base.js": "cose-base/cose-base.js",  # needed by cytoscape-fcose
    "cytoscape-fcose.js": "cytoscape-fcose/cytoscape-fcose.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}
LICENSES = ("cytoscape", "layout-base", "cose-base", "cytoscape-fcose", "chart.js")


def main() -> int:
    missing = [src for src in ASSETS.values() if not (NODE / src).is_file()]
    if missing:
        print("vendor_assets: missing in node_modules (run `npm ci` first): " + ", ".join(missing), file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    for dest, src in ASSETS.items():
        shutil.copyfile(NODE / src, VENDOR / dest)
    for pkg in LICENSES:
        lic = next((p for p in (NODE / pkg).glob("LICENSE*")), None)
        if lic:
            shutil.copyfile(lic, VENDOR / f"{pkg}.LICENSE.txt")
    print(f"vendor_assets: {len(ASSETS)} files in {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
