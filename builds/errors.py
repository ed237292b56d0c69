"""Errors of the build layer. Each says what was refused; nothing stored was changed."""

from __future__ import annotations


class BuildError(RuntimeError):
    """The build could not produce a valid graph; nothing already stored was changed."""


class CorpusError(RuntimeError):
    """A change that cannot be made as asked (nothing was changed). ``status``: the HTTP status."""

    status = 409


class NotStored(CorpusError):
    status = 404


class Busy(CorpusError):
    """Another process is changing the corpus of this data folder."""

    status = 409
