"""The one error type the parser raises for bad input."""

from __future__ import annotations


class ParseError(ValueError):
    """Bad input: names the file, the line (0 when it concerns the whole file) and the reason."""

    def __init__(self, file: str, reason: str, line: int = 0):
        self.file, self.reason, self.line = file, reason, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")


class FileTooLarge(ParseError):
    """The file is over the size limit for a plan (refused before it is read or parsed)."""
