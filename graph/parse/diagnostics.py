"""Warnings about an outline as a whole: what a reader of the plan would call a likely loss."""

from __future__ import annotations

from ..model import ParseWarning, Plan


def check_outline(plans: list[Plan]) -> list[ParseWarning]:
    """A domain missing goals or measures where its siblings have both; a label no item followed."""
    out: list[ParseWarning] = []
    for plan in plans:
        both = sum(1 for d in plan.domains if d.goals and d.measures)
        for d in plan.domains:
            if both and both * 2 >= len(plan.domains):
                missing = [w for w, units in (("goals", d.goals), ("measures", d.measures)) if not units]
                if missing:
                    out.append(
                        ParseWarning(
                            d.source.line,
                            f"domain {d.number} {d.title or '(untitled)'} has no {' and no '.join(missing)}, "
                            "where the other domains have both",
                        )
                    )
        for label in plan.outline.labels:
            if label.items == 0:
                out.append(ParseWarning(label.line, f"label {label.text.strip()!r} is followed by no numbered item"))
    return sorted(out, key=lambda w: w.line)
