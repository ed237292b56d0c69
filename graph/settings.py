"""Where things live. Everything can be overridden by environment variables or CLI flags.

A build writes a complete generation (store + search index + manifest) into its own folder under
``data_dir`` and then flips the ``current`` symlink to it in one atomic rename, so readers always
see a store and an index that belong together, and a failed build leaves the previous one intact.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "data" / "plans"


@dataclass
class Settings:
    data_dir: Path
    corpus: Path
    remote_store: Optional[str] = None   # http(s):// SPARQL endpoint instead of the embedded store
    remote_auth: Optional[str] = None    # value of the Authorization header for it

    @property
    def current(self) -> Path:
        return self.data_dir / "current"

    @property
    def store_url(self) -> str:
        return self.remote_store or str(self.current / "store")

    @property
    def index_dir(self) -> Path:
        return self.current / "index"

    @property
    def manifest(self) -> Path:
        return self.current / "build.json"


def load_settings(data_dir: str | None = None, corpus: str | None = None, store: str | None = None) -> Settings:
    data = Path(data_dir or os.environ.get("PLANKG_DATA", ROOT / "var")).resolve()
    return Settings(data_dir=data,
                    corpus=Path(corpus or os.environ.get("PLANKG_CORPUS", DEFAULT_CORPUS)).resolve(),
                    remote_store=store or os.environ.get("PLANKG_STORE") or None,
                    remote_auth=os.environ.get("PLANKG_STORE_AUTH") or None)
