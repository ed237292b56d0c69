"""Side by side: 2–4 units, one column per plan, each text marked where it shares wording with the others."""

from __future__ import annotations

from difflib import SequenceMatcher

from .units import unit_detail

MAX_COLUMNS = 4
MIN_SHARED = 2  # a run shorter than this (a lone 的, 和) is not "shared wording"


def shared_mask(text: str, others: list[str]) -> list[bool]:
    """Per character of ``text``: is it part of a run of ≥ MIN_SHARED characters found in one of ``others``?

    >>> shared_mask("加强儿童安全教育", ["开展儿童安全宣传"])
    [False, False, True, True, True, True, False, False]
    """
    mask = [False] * len(text)
    for other in others:
        for block in SequenceMatcher(None, text, other, autojunk=False).get_matching_blocks():
            if block.size >= MIN_SHARED:
                for i in range(block.a, block.a + block.size):
                    mask[i] = True
    return mask


def segments(text: str, mask: list[bool]) -> list[dict]:
    """Runs of shared / own text: [{"text", "shared"}]."""
    out: list[dict] = []
    for ch, shared in zip(text, mask, strict=True):
        if out and out[-1]["shared"] == shared:
            out[-1]["text"] += ch
        else:
            out.append({"text": ch, "shared": shared})
    return out


def compare(res, unit_ids: list[str]) -> dict:
    """The first unit against the others: its text marked against all of them, each other's against it."""
    ids = list(dict.fromkeys(u.strip() for u in unit_ids if u and u.strip()))
    if len(ids) < 2:
        raise ValueError("并排比较需要至少 2 个条目（参数 units，可重复）")
    dropped = ids[MAX_COLUMNS:]
    ids = ids[:MAX_COLUMNS]
    first = unit_detail(res, ids[0], with_counterparts=True)
    units = [first] + [unit_detail(res, u, with_counterparts=False) for u in ids[1:]]
    texts = [u["text"] for u in units]
    columns = []
    for i, u in enumerate(units):
        others = texts[1:] if i == 0 else [texts[0]]
        mask = shared_mask(u["text"], others)
        columns.append(
            {
                "iri": u["iri"],
                "url": u["url"],
                "in_plan_url": u["in_plan_url"],
                "citation": u["citation"],
                "plan": u["plan"],
                "domain": u["domain"],
                "kind": u["kind"],
                "kind_label": u["kind_label"],
                "number": u["number"],
                "text": u["text"],
                "segments": segments(u["text"], mask),
                "shared_share": round(sum(mask) / len(mask), 3) if mask else 0.0,
                "agencies": u["agencies"],
                "indicators": u["indicators"],
                "laws": u["laws"],
            }
        )
    shown = {c["iri"] for c in columns}
    candidates = [
        {
            "iri": c["iri"],
            "plan": c["plan"],
            "number": c["number"],
            "kind": c["kind"],
            "score": c["score"],
            "checked": c["iri"] in shown,
        }
        for c in first.get("counterparts") or []
    ]
    return {
        "columns": columns,
        "candidates": candidates,
        "dropped": dropped,
        "max_columns": MAX_COLUMNS,
    }
