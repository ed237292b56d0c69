"""The check report as a Word document (python-docx), in the order of the page: summary, missing topics, weaker
targets, then unit by unit with the counterparts' wording marked (shared text grey, what the draft lacks bold
on yellow), then every target."""

from __future__ import annotations

import io

from .exports import POSITION, SUMMARY, peer_label, peer_target, target_text, title_of, unit_label, weaker


class _Docx:
    """Paragraphs written straight as WordprocessingML: python-docx's ``add_paragraph`` / ``add_run`` look up
    their insertion point among all siblings each time (quadratic: ~10 s for a 150-unit report, ~0.3 s so)."""

    def __init__(self, doc):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.doc, self.el, self.qn = doc, OxmlElement, qn
        self.body = doc.element.body
        self.styles = {s.name: s.style_id for s in doc.styles}

    def para(self, runs: list[tuple[str, str]], style: str | None = None) -> None:
        """A paragraph of ``(text, look)`` runs; look: "" plain, "bold", "muted", "marked" (bold on yellow)."""
        el, qn = self.el, self.qn
        p = el("w:p")
        if style:
            ppr, ps = el("w:pPr"), el("w:pStyle")
            ps.set(qn("w:val"), self.styles.get(style, style))
            ppr.append(ps)
            p.append(ppr)
        for text, look in runs:
            if not text:
                continue
            r = el("w:r")
            if look:
                rpr = el("w:rPr")
                if look in ("bold", "marked"):
                    rpr.append(el("w:b"))
                if look == "muted":
                    c = el("w:color")
                    c.set(qn("w:val"), "808080")
                    rpr.append(c)
                if look == "marked":
                    hl = el("w:highlight")
                    hl.set(qn("w:val"), "yellow")
                    rpr.append(hl)
                r.append(rpr)
            t = el("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            r.append(t)
            p.append(r)
        self.body.insert(len(self.body) - 1, p)  # before the closing section properties

    def text(self, text: str, style: str | None = None) -> None:
        self.para([(text, "")], style)


def to_docx(report: dict) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    w = _Docx(doc)
    w.text(f"起草检查报告：{title_of(report)}", "Title")
    for d in report["drafts"]:
        w.text(
            f"对照的 {len(d['peers'])} 部规划：" + ("、".join(f"《{p['plan_title']}》" for p in d["peers"]) or "（无）")
        )
    s = report["summary"]
    w.text("摘要", "Heading 1")
    _table(doc, list(SUMMARY.values()), [[str(s[k]) for k in SUMMARY]])
    for d in report["drafts"]:
        w.text(f"各领域覆盖：《{d['title']}》", "Heading 2")
        _table(
            doc,
            ["领域", "草稿条目", "有对应条目", "新增", "缺少的主题", "有此领域的同类规划"],
            [
                [
                    c["domain_label"],
                    str(c["units"]),
                    str(c["with_counterparts"]),
                    str(c["new"]),
                    str(c["missing_topics"]),
                    str(c["peer_plans"]),
                ]
                for c in d["coverage"]
            ],
        )
    w.text(f"其他规划有、草稿没有的主题（{len(report['missing_topics'])}）", "Heading 2")
    for m in report["missing_topics"]:
        w.para([(m["label"], "bold"), (f" · {m['domain_label']} · {m['plans']} 部同类规划有此主题", "")], "List Bullet")
        for e in m["examples"]:
            w.text(f"《{e['plan_title']}》：{e['text']}", "List Bullet 2")
    w.text(f"弱于同类规划的指标（{len(weaker(report))}）", "Heading 2")
    _targets_docx(doc, w, weaker(report))
    w.text("逐条对照", "Heading 1")
    w.text("对应条目中，灰色为与草稿相同的文字，加粗并以黄色标出的是草稿没有的文字。")
    for u in report["units"]:
        w.text(unit_label(u) + ("（新增：其他规划中没有对应条目）" if u["new"] else ""), "Heading 3")
        w.text(u["text"])
        for c in u["counterparts"]:
            head = (f"《{c['plan_title']}》{peer_label(c)}（相似度 {c['similarity']:.2f}）：", "bold")
            if c["same_text"]:
                w.para([head, ("与草稿文字相同", "muted")])
                continue
            looks = {"same": "muted", "peer": "marked"}
            w.para(
                [head]
                + [(run[-1] if op == "same" else run[1], looks[op]) for run in c["diff"] if (op := run[0]) in looks]
            )
        sa = [a for a in u["suggested_agencies"] if not a["in_draft"]]
        if sa:
            w.text("其他规划写明的责任部门：" + "、".join(f"{a['name']}（{a['plans']} 部）" for a in sa))
        sl = [x for x in u["suggested_laws"] if not x["in_draft"]]
        if sl:
            w.text("其他规划引用的法规政策：" + "、".join(f"《{x['title']}》（{x['plans']} 部）" for x in sl))
    w.text("全部指标目标", "Heading 1")
    _targets_docx(doc, w, report["indicators"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _targets_docx(doc, w: _Docx, rows: list[dict]) -> None:
    if not rows:
        w.text("无。")
        return
    _table(
        doc,
        ["指标", "草稿目标", "判断", "同类规划的目标"],
        [
            [
                t["name"],
                target_text(t["draft"]),
                POSITION[t["position"]],
                "；".join(peer_target(p) for p in t["peers"]) or "—",
            ]
            for t in rows
        ],
    )
