"""Fault injection for the crash tests: ``PLANKG_FAULT=<stage>`` kills the building process with
SIGKILL at that stage (``parsed``, ``store``, ``index``, ``manifest``, ``flip``, ``published``);
``PLANKG_FAULT=error:<stage>`` raises an exception there instead."""

from __future__ import annotations

import os
import signal

from config import value


def fault(stage: str) -> None:
    wanted = value("PLANKG_FAULT")
    if not wanted:
        return
    if wanted == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    if wanted == f"error:{stage}":
        raise RuntimeError(f"injected failure at stage {stage!r} (PLANKG_FAULT)")
