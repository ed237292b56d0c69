"""The check report as files a drafter keeps: printable HTML and CSV here, Word (.docx) in ``word``.

Each reads the report dict (``report.check_draft``) only, in the order the page shows it: summary first
(coverage by domain, missing topics, weaker targets), then unit by unit with the counterparts and the
differences of wording (shared text muted, what differs marked), then every target.
"""

from __future__ import annotations

import csv
import io
import re
from html import escape

from .. import labels

POSITION = {"weaker": "弱于同类", "stronger": "强于同类", "same": "与同类相同", "incomparable": "无法比较"}
KIND_CITED = {"goal": "主要目标", "measure": "策略措施", "key_project": "重点项目"}  # how drafters cite a unit
COMPARATOR = {"le": "≤", "lt": "<", "ge": "≥", "gt": ">", "eq": "", "approx": "约"}
SUMMARY = {  # the summary's counts a reader sees first, with their headings
    "units": "条目",
    "with_counterparts": "有对应条目",
    "new": "新增条目",
    "missing_topics": "缺少的主题",
    "targets": "指标目标",
    "weaker_targets": "弱于同类",
    "stronger_targets": "强于同类",
}


def unit_label(u: dict) -> str:
    """ "儿童与健康 · 策略措施 3" (the way drafters cite a unit)."""
    kind = KIND_CITED.get(u["kind"], u["kind"])
    return f"{u['domain_title']} · {kind} {u['number']}" if u.get("domain_title") else f"{kind} {u['number']}"


def short_title(title: str) -> str:
    """ "杭州市儿童发展“十四五”规划" -> "杭州市儿童": enough to tell plans apart in a list of targets."""
    t = re.sub(r"[（(][^）)]*[）)]$", "", title)
    t = re.sub(r"“[^”]*”", "", t)
    t = re.sub(r"(?:发展)?规划$", "", t)
    return t or title


def peer_label(c: dict) -> str:
    kind = KIND_CITED.get(c["kind"], c["kind"])
    return f"{c['domain']} · {kind} {c['number']}" if c.get("domain") else f"{kind} {c['number']}"


def target_text(t: dict | None) -> str:
    """A target as drafters write it: "≤4.5‰（2030年）", "较2020年下降20%", or the qualitative wording."""
    if not t:
        return ""
    year = f"（{t['year']}年）" if t.get("year") else ""
    if t.get("value") is not None:
        v = t["value"]
        value = f"{int(v)}" if float(v).is_integer() else f"{v:g}"
        return f"{COMPARATOR.get(t.get('comparator') or '', '')}{value}{t.get('unit') or ''}{year}"
    ch = t.get("change")
    if ch and ch.get("amount") is not None:
        verb = "下降" if ch["direction"] == "decrease" else "提高"
        return f"{verb}{ch['amount']:g}{ch.get('unit') or ''}{year}"
    return (t.get("qualitative") or t.get("text") or "—") + year


VS = {"weaker": "草稿较弱", "stronger": "草稿较强", "same": "相同", "incomparable": "单位或口径不同"}


def peer_target(p: dict) -> str:
    """A peer's target in a list: "杭州市儿童 ≤3‰（2025年）草稿较弱", or "…未计入" when not compared."""
    why = VS[p["position"]] if p.get("compared") or p["position"] == "incomparable" else "年份不同，未计入"
    return f"{short_title(p['plan_title'])} {target_text(p)} {why}"


def title_of(report: dict) -> str:
    return "、".join(f"《{d['title']}》" for d in report["drafts"]) or "草稿"


def weaker(report: dict) -> list[dict]:
    return [t for t in report["indicators"] if t["position"] == "weaker"]


# ------------------------------------------------------------------------------------------ HTML

PRINT_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
  margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.6;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:2px solid #333;margin-top:2rem}h3{font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .4rem;
  vertical-align:top;text-align:left}th{background:#f0f0f0}td.num{text-align:right;white-space:nowrap}
.same{color:#8a8a8a}mark.draft,mark.peer{background:#ffe28a;color:#000;font-weight:600}
.unit{border-top:1px solid #999;padding-top:.5rem;margin-top:1rem;break-inside:avoid-page}
.meta{color:#555;font-size:.9rem}.new{color:#9a3d00;font-weight:600}.weaker{color:#b00020;font-weight:600}
.stronger{color:#1b6e20}.tag{display:inline-block;border:1px solid #999;border-radius:3px;padding:0 .3rem;margin:.1rem}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}a{color:inherit;text-decoration:none}
  .unit,tr{break-inside:avoid}}
"""


def _marked(ops: list, side: str) -> str:
    """One side of a diff as HTML: shared text muted, this side's own text marked."""
    out = []
    for op, text, *peer in ops:
        if op == "same":
            out.append(f'<span class="same">{escape(peer[0] if peer and side == "peer" else text)}</span>')
        elif op == side:
            out.append(f'<mark class="{side}">{escape(text)}</mark>')
    return "".join(out)


def _row(cells: list[str], num: tuple[int, ...] = ()) -> str:
    return (
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>" for i, c in enumerate(cells))
        + "</tr>"
    )


def to_html(report: dict) -> str:
    s = report["summary"]
    h = [
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>起草检查报告：{escape(title_of(report))}</title><style>{PRINT_CSS}</style></head><body>",
        f"<h1>起草检查报告：{escape(title_of(report))}</h1>",
    ]
    for d in report["drafts"]:
        peers = "、".join(f"《{escape(p['plan_title'])}》" for p in d["peers"]) or "（无）"
        h.append(f'<p class="meta">对照的 {len(d["peers"])} 部规划：{peers}</p>')
    h.append("<h2>摘要</h2><table><tr>" + "".join(f"<th>{v}</th>" for v in SUMMARY.values()) + "</tr>")
    h.append(_row([str(s[k]) for k in SUMMARY], num=tuple(range(len(SUMMARY)))))
    h.append("</table>")
    for d in report["drafts"]:
        h.append(
            f"<h3>各领域覆盖：《{escape(d['title'])}》</h3><table><tr><th>领域</th><th>草稿条目</th>"
            "<th>有对应条目</th><th>新增</th><th>缺少的主题</th><th>有此领域的同类规划</th></tr>"
        )
        for c in d["coverage"]:
            h.append(
                _row(
                    [
                        escape(c["domain_label"]),
                        str(c["units"]),
                        str(c["with_counterparts"]),
                        str(c["new"]),
                        str(c["missing_topics"]),
                        str(c["peer_plans"]),
                    ],
                    num=(1, 2, 3, 4, 5),
                )
            )
        h.append("</table>")
    h.append(f"<h3>其他规划有、草稿没有的主题（{len(report['missing_topics'])}）</h3>")
    for m in report["missing_topics"]:
        h.append(
            f'<div class="unit"><p><strong>{escape(m["label"])}</strong> · {escape(m["domain_label"])} · '
            f"{m['plans']} 部同类规划有此主题</p><ul>"
        )
        for e in m["examples"]:
            h.append(f"<li>《{escape(e['plan_title'])}》：{escape(e['text'])}</li>")
        h.append("</ul></div>")
    h.append(f"<h3>弱于同类规划的指标（{len(weaker(report))}）</h3>")
    h.append(_targets_table(weaker(report)))
    h.append("<h2>逐条对照</h2>")
    for u in report["units"]:
        h.append('<div class="unit">')
        flag = ' <span class="new">新增：其他规划中没有对应条目</span>' if u["new"] else ""
        h.append(f"<h3>{escape(unit_label(u))}{flag}</h3><p>{escape(u['text'])}</p>")
        if u["counterparts"]:
            h.append(
                "<table><tr><th>规划</th><th>相似度</th><th>对应条目（灰色：与草稿相同的文字；"
                "黄色：草稿没有的文字）</th></tr>"
            )
            for c in u["counterparts"]:
                h.append(
                    _row(
                        [
                            f"《{escape(c['plan_title'])}》<br>{escape(peer_label(c))}",
                            f"{c['similarity']:.2f}",
                            '<span class="same">与草稿文字相同</span>'
                            if c["same_text"]
                            else _marked(c["diff"], "peer"),
                        ],
                        num=(1,),
                    )
                )
            h.append("</table>")
        h.append(_suggestions(u))
        h.append("</div>")
    h.append("<h2>全部指标目标</h2>")
    h.append(_targets_table(report["indicators"]))
    h.append("</body></html>")
    return "\n".join(h)


def _suggestions(u: dict) -> str:
    out = []
    sa = [a for a in u["suggested_agencies"] if not a["in_draft"]]
    if sa:
        tags = "".join(f'<span class="tag">{escape(a["name"])}（{a["plans"]} 部）</span>' for a in sa)
        out.append(f"<p>其他规划写明的责任部门：{tags}</p>")
    sl = [x for x in u["suggested_laws"] if not x["in_draft"]]
    if sl:
        tags = "".join(f'<span class="tag">《{escape(x["title"])}》（{x["plans"]} 部）</span>' for x in sl)
        out.append(f"<p>其他规划引用的法规政策：{tags}</p>")
    return "".join(out)


def _targets_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>无。</p>"
    h = ["<table><tr><th>指标</th><th>草稿目标</th><th>判断</th><th>同类规划的目标</th></tr>"]
    for t in rows:
        peers = "；".join(escape(peer_target(p)) for p in t["peers"]) or "—"
        pos = t["position"]
        h.append(
            _row(
                [
                    escape(t["name"]),
                    escape(target_text(t["draft"])),
                    f'<span class="{pos}">{POSITION[pos]}</span>',
                    peers,
                ]
            )
        )
    h.append("</table>")
    return "".join(h)


# ------------------------------------------------------------------------------------------ CSV

CSV_HEADER = [
    "草稿规划",
    "条目",
    "领域",
    "类型",
    "序号",
    "草稿文本",
    "新增",
    "对照规划",
    "对照条目",
    "相似度",
    "相同文本",
    "对照文本",
    "对照条目 IRI",
    "对照条目的责任部门",
    "对照条目引用的法规",
    "建议补充的部门",
]


def to_csv(report: dict) -> str:
    """One row per draft unit and counterpart (a unit without counterparts: one row); UTF-8 with a BOM so
    that spreadsheet programs read the Chinese."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    titles = [d["title"] for d in report["drafts"]]
    for u in report["units"]:
        head = [
            titles[u["draft_plan"]],
            u["id"],
            u["domain_title"],
            labels.KIND.get(u["kind"], u["kind"]),
            u["number"],
            u["text"],
            "是" if u["new"] else "否",
        ]
        suggest = "、".join(a["name"] for a in u["suggested_agencies"] if not a["in_draft"])
        if not u["counterparts"]:
            w.writerow(head + ["", "", "", "", "", "", "", "", suggest])
        for c in u["counterparts"]:
            w.writerow(
                head
                + [
                    c["plan_title"],
                    peer_label(c),
                    f"{c['similarity']:.4f}",
                    "是" if c["same_text"] else "否",
                    c["text"],
                    c["unit"],
                    "、".join(a["name"] for a in c["agencies"]),
                    "、".join(c["laws"]),
                    suggest,
                ]
            )
    return buf.getvalue()
