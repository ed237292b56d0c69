"""The data folder's lock: every build, add and remove holds it, so changes are serialised."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from config import value

from .errors import Busy
from .layout import DataFolder


class DataLock:
    """Exclusive lock of a data folder (``flock`` on ``<data>/.plankg.lock``) held by every build,
    add and remove. The holder writes its pid and command into the file, for the message a waiting
    process prints. The kernel releases the lock when its holder dies, even by SIGKILL."""

    def __init__(
        self,
        data_dir: Path,
        *,
        wait: float | None = None,
        what: str = "",
        on_wait: Callable[[dict], None] | None = None,
    ):
        self.path = DataFolder(Path(data_dir)).lock
        self.wait = float(value("PLANKG_LOCK_WAIT")) if wait is None else max(0.0, float(wait))
        self.what = what
        self.on_wait = on_wait
        self._fh: TextIO | None = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def __enter__(self) -> DataLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if time.monotonic() >= deadline:
                    fh.close()
                    raise Busy(
                        f"another change to {self.path.parent} is in progress ({describe(holder)}); "
                        f"gave up after waiting {self.wait:g} s — try again when it has finished"
                    ) from None
                if not told and self.on_wait is not None:
                    self.on_wait(holder)
                told = True
                time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(
            json.dumps(
                {"pid": os.getpid(), "what": self.what, "since": time.strftime("%Y-%m-%dT%H:%M:%S")}, ensure_ascii=False
            )
        )
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.seek(0)
            fh.truncate()
            fh.flush()
        except OSError:
            pass
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "another process"
    return f"pid {holder['pid']}: {holder.get('what') or 'a build'}, since {holder.get('since', '?')}"
