"""Text normalisation shared by the extractors, keeping a map back to the original offsets.

Plans are converted from Word/PDF: words break across lines ("文化旅\\n游"), numbers carry
spaces ("5 岁", "98 %"), an English "and" stands for 和 and LaTeX leaks in ("$\\geq 80\\%$").
``normalise`` removes that noise and returns, for every output character, its offset in the input.
"""

from __future__ import annotations

import re

HAN = r"\u4e00-\u9fff"

# noise -> replacement ("" drops it); whitespace is handled separately
_LATEX = {r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\%": "%", r"\lt": "<", r"\gt": ">", "$": ""}
_NOISE = re.compile(r"\\geq|\\ge|\\leq|\\le|\\%|\\lt|\\gt|\$|\s+and\s+|\s+")

# same-length character fixes: full-width digits, symbols and ASCII punctuation used as Chinese
_CHARS = str.maketrans("０１２３４５６７８９％．＜＞＝≦≧", "0123456789%.<>=≤≥")


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def normalise(text: str) -> tuple[str, list[int]]:
    """Cleaned text and, per cleaned character, the offset of its source character.

    The offset list has one extra entry (``len(text)``) so that end offsets map too.
    """
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _NOISE.finditer(text):
        for i in range(pos, m.start()):
            out.append(text[i])
            index.append(i)
        token = m.group()
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if token.strip() == "and":
            if _is_word(before) and _is_word(after):
                out.append(token)  # genuine English, keep it
                index.extend(range(m.start(), m.end()))
            else:
                out.append("和")
                index.append(m.start() + token.index("a"))
        elif token.isspace():
            if _is_word(before) and _is_word(after):
                out.append(" ")
                index.append(m.start())
        else:
            rep = _LATEX[token]
            if rep:
                out.append(rep)
                index.append(m.start())
        pos = m.end()
    for i in range(pos, len(text)):
        out.append(text[i])
        index.append(i)
    index.append(len(text))
    return "".join(out).translate(_CHARS), index


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pieces split after 。；;！？ (the delimiter stays with its sentence)."""
    pieces, start = [], 0
    for m in re.finditer(r"[。；;！？!?]", text):
        pieces.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text):
        pieces.append((start, text[start:]))
    return [(o, s) for o, s in pieces if s.strip()]


def split_outside_brackets(text: str, seps: str) -> list[tuple[int, str]]:
    """(offset, piece) pieces split at any char of ``seps`` that is not inside （）()."""
    pieces, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            pieces.append((start, text[start:i]))
            start = i + 1
    pieces.append((start, text[start:]))
    return pieces
