"""Drafts for the tests of the drafting workbench: a bundled plan written out again as a plan text, with its
region renamed, units left out and targets changed, the way a drafter reworks last period's plan.

``write_plan(plan, …)`` gives the text of a plan document in the common layout (title, 一、总体要求,
二、发展领域、主要目标和策略措施 with （一）… domains, 主要目标：/策略措施： lists, 三、重点实事项目), which the
parser reads back unit for unit. ``post_form`` posts a draft to the check as multipart/form-data.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from graph.model import Plan, Unit
from graph.parse import parse_file

CN = "一二三四五六七八九十"
CORPUS = Path(__file__).resolve().parent.parent / "data" / "plans"


def cn(n: int) -> str:
    return CN[n - 1] if n <= 10 else "十" + CN[n - 11]


def bundled_plan(title_prefix: str) -> Plan:
    """The bundled plan whose title starts with ``title_prefix`` (parsed, not extracted)."""
    for f in sorted(CORPUS.glob("*.txt")):
        for p in parse_file(f).plans:
            if p.title.startswith(title_prefix):
                return p
    raise KeyError(title_prefix)


def write_plan(
    plan: Plan,
    *,
    rename: tuple[str, str] | None = None,
    keep: Callable[[Unit], bool] = lambda u: True,
    edit: Callable[[Unit, str], str] = lambda u, t: t,
    extra: dict[str, list[str]] | None = None,
) -> str:
    """``plan`` as a plan document: units for which ``keep`` is false are left out (the rest renumbered),
    ``edit(unit, text)`` rewrites a unit's text, ``rename`` replaces a region name everywhere, ``extra`` adds
    measures ({domain title: [texts]})."""
    out = [plan.title, "一、总体要求", "为促进儿童事业和妇女事业全面发展，结合本地实际，制定本规划。"]
    out.append("二、发展领域、主要目标和策略措施")
    for k, d in enumerate(plan.domains, start=1):
        out.append(f"（{cn(k)}）{d.title}")
        goals = [edit(u, u.text) for u in d.goals if keep(u)]
        measures = [edit(u, u.text) for u in d.measures if keep(u)] + (extra or {}).get(d.title, [])
        if goals:
            out.append("主要目标：")
            out += [f"{n}．{_one_line(t)}" for n, t in enumerate(goals, start=1)]
        if measures:
            out.append("策略措施：")
            out += [f"{n}．{_one_line(t)}" for n, t in enumerate(measures, start=1)]
    projects = [edit(u, u.text) for u in plan.key_projects if keep(u)]
    if projects:
        out.append("三、重点实事项目")
        out += [f"{n}．{_one_line(t)}" for n, t in enumerate(projects, start=1)]
    out.append(f"{cn(4 if projects else 3)}、组织实施")
    out.append("（一）加强组织领导。各级政府负责规划实施工作。")
    text = "\n".join(out) + "\n"
    if rename:
        text = text.replace(rename[0], rename[1])
    return text


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text).strip()


# ------------------------------------------------------------------ requests


def draft_text(prefix: str = "鹿城", new: str = "青山", **kw) -> str:
    plan = bundled_plan(prefix)
    return write_plan(plan, rename=(plan.region[:2], new), **kw)


def post_form(client, path: str = "/api/check", **fields):
    body, ctype = multipart_fields(fields)
    return client.post(path, body, ctype)


def multipart_fields(fields: dict) -> tuple[bytes, str]:
    """multipart/form-data of text fields and files given as ``file=[(name, bytes), …]``."""
    boundary = "----plankg-check" + uuid.uuid4().hex
    parts = []
    for name, data in fields.pop("file", []):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def snapshot(folder: Path) -> dict:
    """Every file of a data folder with its size and modification time (but RocksDB's own info log, which the
    open store appends to whatever is asked of it)."""
    out = {}
    for root, _, names in os.walk(folder):
        for n in names:
            if n.startswith("LOG"):
                continue
            p = Path(root, n)
            st = p.stat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out
