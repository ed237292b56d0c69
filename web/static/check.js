// Drafting workbench (/check): the draft is posted to /api/check and the report drawn from its JSON, summary first
// (coverage by domain, missing topics, weaker targets), then unit by unit with the counterparts side by side and
// the character diff (shared text muted, differences marked). The download buttons submit the same form natively
// (format=docx|html|csv); the server keeps the last reports in memory, so a download does not check again.
// Everything from the server is put in the page with textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  if (!form || !window.fetch || !window.FormData) return;
  var endpoint = form.getAttribute("data-endpoint");
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 4;
  var status = document.getElementById("check-status");
  var report = document.getElementById("check-report");
  var against = document.getElementById("check-against");
  var peersLine = document.getElementById("check-peers");
  var runBtn = document.getElementById("check-run");
  var showSel = document.getElementById("check-show");
  var domainSel = document.getElementById("check-domain");
  var current = null;

  var KIND = { goal: "主要目标", measure: "策略措施", key_project: "重点项目" };
  var POS = { weaker: "弱于同类", stronger: "强于同类", same: "与同类相同", incomparable: "无法比较" };
  // the draft against one peer target
  var VS = { weaker: "草稿较弱", stronger: "草稿较强", same: "相同", incomparable: "单位或口径不同" };
  var CMP = { le: "≤", lt: "<", ge: "≥", gt: ">", eq: "", approx: "约" };
  var TYPE = { children: "儿童", women: "妇女", other: "其他" };

  // ------------------------------------------------------------------ small DOM helpers (dom.js)
  var el = window.plankgDom.el, add = window.plankgDom.add, link = window.plankgDom.link;
  var book = window.plankgDom.book, clear = window.plankgDom.clear;
  // "杭州市儿童发展“十四五”规划" -> "杭州市儿童": enough to tell the plans apart in a list of targets
  function shortTitle(t) {
    return t.replace(/[（(][^）)]*[）)]$/, "").replace(/“[^”]*”/, "").replace(/发展规划$|规划$/, "").replace(/发展$/, "") || t;
  }
  function pct(x) { return Math.round(x * 100) + "%"; }
  function unitLabel(u) {
    var k = KIND[u.kind] || u.kind;
    return (u.domain_title ? u.domain_title + " · " : "") + k + " " + u.number;
  }
  function peerLabel(c) {
    var k = KIND[c.kind] || c.kind;
    return (c.domain ? c.domain + " · " : "") + k + " " + c.number;
  }
  function target(t) {
    if (!t) return "—";
    var year = t.year ? "（" + t.year + "年）" : "";
    if (t.value !== null && t.value !== undefined) return (CMP[t.comparator] || "") + t.value + (t.unit || "") + year;
    if (t.change && t.change.amount !== null && t.change.amount !== undefined)
      return (t.change.direction === "decrease" ? "下降" : "提高") + t.change.amount + (t.change.unit || "") + year;
    return (t.qualitative || t.text || "—") + year;
  }

  // ------------------------------------------------------------------ the peers the filters choose
  function composeAgainst() {
    var parts = [];
    form.querySelectorAll(".check-against select[data-key]").forEach(function (s) {
      if (s.value) parts.push(s.getAttribute("data-key") + "=" + s.value);
    });
    against.value = parts.join(",");
    return against.value;
  }
  function showPeers() {
    var value = composeAgainst();
    fetch(endpoint + (value ? "?against=" + encodeURIComponent(value) : ""), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        var peers = d.peers || d.plans || [];
        peersLine.textContent = (value ? "将对照 " : "将对照全部 ") + peers.length + " 部规划（与草稿同名的规划除外）："
          + peers.map(function (p) { return book(p.plan_title); }).join("、");
      })
      .catch(function () { peersLine.textContent = ""; });
  }
  form.querySelectorAll(".check-against select").forEach(function (s) { s.addEventListener("change", showPeers); });
  showPeers();

  // ------------------------------------------------------------------ running the check
  function hasInput() {
    var files = document.getElementById("check-file").files;
    return (files && files.length) || document.getElementById("check-text").value.trim();
  }
  form.addEventListener("submit", function (ev) {
    var submitter = ev.submitter;
    composeAgainst();
    if (!hasInput()) {
      ev.preventDefault();
      status.textContent = "请先选择草稿文件或粘贴草稿文本。";
      return;
    }
    var files = document.getElementById("check-file").files;
    if (files && files.length > maxFiles) {
      ev.preventDefault();
      status.textContent = "一次最多检查 " + maxFiles + " 个文件。";
      return;
    }
    if (submitter && submitter.name === "format") {  // a download: the browser posts the form itself
      status.textContent = "正在生成报告文件……";
      setTimeout(function () { status.textContent = ""; }, 4000);
      return;
    }
    ev.preventDefault();
    run();
  });

  function run() {
    var body = new FormData(form);
    body.delete("format");
    runBtn.disabled = true;
    status.textContent = "正在检查：解析草稿、逐条比对……（约需数秒至数十秒）";
    var t0 = Date.now();
    fetch(endpoint, { method: "POST", body: body, headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (d) { return { ok: r.ok, status: r.status, data: d }; },
          function () { return { ok: false, status: r.status, data: { error: "服务器返回了无法识别的内容（HTTP " + r.status + "）" } }; });
      })
      .then(function (res) {
        runBtn.disabled = false;
        if (!res.ok) {
          status.textContent = "检查未完成：" + (res.data.error || ("HTTP " + res.status));
          return;
        }
        current = res.data;
        status.textContent = "检查完成，用时 " + ((Date.now() - t0) / 1000).toFixed(1) + " 秒。";
        draw(current);
      })
      .catch(function (e) {
        runBtn.disabled = false;
        status.textContent = "检查未完成：无法连接服务器（" + e + "）";
      });
  }

  // ------------------------------------------------------------------ the report
  function draw(r) {
    drawSummary(r);
    drawCoverage(r);
    drawMissing(r);
    drawTargets(r);
    fillDomains(r);
    drawUnits();
    report.hidden = false;
    document.getElementById("check-summary-h").scrollIntoView({ block: "start" });
  }

  function stat(n, label, cls) {
    return add(el("div", "check-stat" + (cls ? " " + cls : "")), el("span", "check-stat-n", n), el("span", "check-stat-l", label));
  }

  function drawSummary(r) {
    var box = clear(document.getElementById("check-summary"));
    r.drafts.forEach(function (d) {
      var head = el("p", "check-draft-title");
      add(head, el("strong", null, book(d.title)), document.createTextNode(
        "（" + (TYPE[d.type] || d.type || "类型未知") + "规划" + (d.region ? "，" + d.region : "") + "）对照 " + d.peers.length + " 部规划："));
      d.peers.forEach(function (p, i) {
        if (i) head.appendChild(document.createTextNode("、"));
        head.appendChild(link(p.url, book(p.plan_title)));
      });
      if (!d.peers.length) head.appendChild(document.createTextNode("（没有符合条件的规划）"));
      box.appendChild(head);
    });
    var s = r.summary;
    add(box, add(el("div", "check-stats"),
      stat(s.units, "草稿条目"),
      stat(s.with_counterparts, "有对应条目"),
      stat(s["new"], "新增（其他规划没有）", s["new"] ? "check-stat-note" : ""),
      stat(s.missing_topics, "缺少的主题", s.missing_topics ? "check-stat-warn" : ""),
      stat(s.weaker_targets, "弱于同类的指标", s.weaker_targets ? "check-stat-warn" : ""),
      stat(s.stronger_targets, "强于同类的指标")));
  }

  function drawCoverage(r) {
    var box = clear(document.getElementById("check-coverage"));
    var HEAD = [["领域", ""], ["草稿条目", "check-num"], ["有对应条目", "check-num"], ["新增", "check-num check-opt"],
                ["缺少的主题", "check-num"], ["同类规划有此领域", "check-num check-opt"]];
    r.drafts.forEach(function (d) {
      if (r.drafts.length > 1) box.appendChild(el("h3", null, book(d.title)));
      var t = el("table", "table check-coverage");
      var head = el("tr");
      HEAD.forEach(function (h) { head.appendChild(el("th", h[1], h[0])); });
      add(t, add(el("thead"), head));
      var body = el("tbody");
      d.coverage.forEach(function (c) {
        var tr = el("tr", c.units ? "" : "check-row-absent");
        var label = c.domain ? c.domain_label : "重点实事项目";
        tr.appendChild(el("td", null, label + (c.units ? "" : (c.domain ? "（草稿没有此领域）" : "（草稿没有）"))));
        tr.appendChild(el("td", "check-num", c.units));
        var share = el("td", "check-num", c.units ? c.with_counterparts + "（" + pct(c.share) + "）" : "—");
        if (c.units) {
          var fill = el("span", "check-bar-fill");
          fill.style.width = pct(c.share || 0);
          share.appendChild(add(el("span", "check-bar"), fill));
        }
        add(tr, share, el("td", "check-num check-opt", c["new"]),
          el("td", "check-num" + (c.missing_topics ? " check-warn" : ""), c.missing_topics),
          el("td", "check-num check-opt", c.peer_plans));
        body.appendChild(tr);
      });
      add(box, add(el("div", "table-wrap"), add(t, body)));
    });
  }

  function drawMissing(r) {
    var box = clear(document.getElementById("check-missing"));
    if (!r.missing_topics.length) {
      box.appendChild(el("p", "check-ok", "没有发现：同类规划中至少两部都有的主题，草稿都有相近的条目。"));
      return;
    }
    var list = el("ol", "check-topics");
    r.missing_topics.forEach(function (m) {
      var li = el("li", "check-topic");
      add(li, add(el("div", "check-topic-head"), el("strong", null, m.label),
        el("span", "badge", m.domain_label), el("span", "muted small", m.plans + " 部同类规划有此主题")));
      if (m.keywords && m.keywords.length) li.appendChild(el("div", "muted small", "关键词：" + m.keywords.join("、")));
      var det = el("details", "check-examples");
      det.appendChild(el("summary", null, "各规划的原文（" + m.examples.length + "）"));
      m.examples.forEach(function (e) {
        var p = el("p", "check-example");
        add(p, link(e.url, book(e.plan_title)), document.createTextNode("：" + e.text));
        if (e.agencies && e.agencies.length) p.appendChild(el("span", "check-example-agencies", "（责任部门：" + e.agencies.join("、") + "）"));
        det.appendChild(p);
      });
      li.appendChild(det);
      if (m.closest) li.appendChild(el("div", "muted small", "草稿中最接近的条目（相似度 " + m.closest.similarity.toFixed(2) + "）：" + m.closest.text.slice(0, 80) + (m.closest.text.length > 80 ? "…" : "")));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function targetsTable(rows) {
    var wrap = el("div", "table-wrap");
    var t = el("table", "table stack check-targets-table");
    add(t, add(el("thead"), add(el("tr"), el("th", null, "指标"), el("th", null, "草稿目标"), el("th", null, "判断"), el("th", null, "同类规划的目标"))));
    var body = el("tbody");
    rows.forEach(function (x) {
      var tr = el("tr");
      var peers = el("td");
      peers.setAttribute("data-label", "同类规划的目标");
      if (!x.peers.length) peers.textContent = "同类规划没有此指标";
      var ordered = x.peers.filter(function (p) { return p.compared; })
        .concat(x.peers.filter(function (p) { return !p.compared; }));
      ordered.forEach(function (p) {
        var line = el("div", "check-peer-target" + (p.compared ? "" : " check-not-compared"));
        var name = el("span", "check-peer-name", shortTitle(p.plan_title));
        name.title = p.plan_title;
        var why = p.compared ? VS[p.position] : (p.position === "incomparable" ? VS.incomparable : "年份不同，未计入");
        add(line, name, document.createTextNode(" " + target(p) + " "),
          el("span", "check-vs" + (p.compared ? " check-pos-" + p.position : ""), why));
        peers.appendChild(line);
      });
      var cells = [[x.name, "指标"], [target(x.draft), "草稿目标"]];
      cells.forEach(function (c) { var td = el("td", null, c[0]); td.setAttribute("data-label", c[1]); tr.appendChild(td); });
      var pos = el("td");
      pos.setAttribute("data-label", "判断");
      pos.appendChild(el("span", "check-pos check-pos-" + x.position, POS[x.position]));
      add(tr, pos, peers);
      body.appendChild(tr);
    });
    return add(wrap, add(t, body));
  }

  function drawTargets(r) {
    var box = clear(document.getElementById("check-targets"));
    var weaker = r.indicators.filter(function (x) { return x.position === "weaker"; });
    box.appendChild(el("h3", null, "弱于同类规划的指标（" + weaker.length + "）"));
    if (weaker.length) box.appendChild(targetsTable(weaker));
    else box.appendChild(el("p", "check-ok", "没有弱于同类规划的指标目标。"));
    if (r.indicators.length) {
      var det = el("details", "check-all-targets");
      det.appendChild(el("summary", null, "全部指标目标（" + r.indicators.length + "）"));
      det.appendChild(targetsTable(r.indicators));
      box.appendChild(det);
    }
  }

  function fillDomains(r) {
    var seen = {};
    clear(domainSel).appendChild(el("option", null, "全部领域"));
    domainSel.firstChild.value = "";
    r.units.forEach(function (u) {
      var key = u.domain_title || "重点项目";
      if (seen[key]) return;
      seen[key] = true;
      var o = el("option", null, key);
      o.value = key;
      domainSel.appendChild(o);
    });
  }

  function marked(ops, side) {
    var p = el("p", "check-diff");
    ops.forEach(function (o) {
      if (o[0] === "same") p.appendChild(el("span", "check-same", side === "peer" && o.length > 2 ? o[2] : o[1]));
      else if (o[0] === side) p.appendChild(el("mark", "check-" + side, o[1]));
    });
    return p;
  }

  function chips(title, items, cls) {
    if (!items.length) return null;
    var d = add(el("div", "check-suggest " + cls), el("span", "check-suggest-h", title));
    items.forEach(function (x) { d.appendChild(el("span", "chip", x)); });
    return d;
  }

  function drawUnit(u) {
    var li = el("li", "check-unit" + (u["new"] ? " check-unit-new" : ""));
    li.id = "u-" + u.id.replace(/[^0-9a-z-]+/gi, "-");
    var head = add(el("div", "check-unit-head"), el("span", "check-unit-label", unitLabel(u)));
    if (u["new"]) head.appendChild(el("span", "badge check-badge-new", "新增：其他规划没有对应条目"));
    li.appendChild(head);
    var best = u.counterparts[0];
    if (!best) {
      li.appendChild(el("p", "check-unit-text", u.text));
    } else if (best.same_text) {  // copied word for word: the text once, and where it comes from
      li.appendChild(el("p", "check-unit-text", u.text));
      var note = add(el("p", "check-same-note"), document.createTextNode("与 "),
        link(best.url, book(best.plan_title) + " " + peerLabel(best)), document.createTextNode(" 文字相同"));
      var others = u.counterparts.filter(function (c) { return c.same_text; }).length - 1;
      if (others > 0) note.appendChild(document.createTextNode("（另有 " + others + " 部规划也相同）"));
      li.appendChild(note);
    } else {
      var pair = el("div", "check-pair");
      var left = add(el("div", "check-col check-col-draft"), el("div", "check-col-h", "草稿"), marked(best.diff, "draft"));
      var right = add(el("div", "check-col check-col-peer"),
        add(el("div", "check-col-h"), link(best.url, book(best.plan_title) + " " + peerLabel(best)),
          el("span", "check-sim", "相似度 " + best.similarity.toFixed(2))),
        marked(best.diff, "peer"));
      add(li, add(pair, left, right));
    }
    if (u.counterparts.length > 1) {
      var det = el("details", "check-more");
      det.appendChild(el("summary", null, "其他 " + (u.counterparts.length - 1) + " 部规划的对应条目"));
      u.counterparts.slice(1).forEach(function (c) {
        var box = add(el("div", "check-other"),
          add(el("div", "check-col-h"), link(c.url, book(c.plan_title) + " " + peerLabel(c)),
            el("span", "check-sim", "相似度 " + c.similarity.toFixed(2) + (c.same_text ? "（文字相同）" : ""))),
          marked(c.diff, "peer"));
        det.appendChild(box);
      });
      li.appendChild(det);
    }
    var sa = u.suggested_agencies.filter(function (a) { return !a.in_draft; })
      .map(function (a) { return a.name + "（" + a.plans + " 部）"; });
    var named = u.agencies.map(function (a) { return a.name; });
    var sl = u.suggested_laws.filter(function (x) { return !x.in_draft; })
      .map(function (x) { return book(x.title) + "（" + x.plans + " 部）"; });
    add(li, chips("草稿写明的部门", named, "check-named"),
      chips("其他规划中负责对应条目的部门（建议）", sa, "check-agencies"),
      chips("其他规划引用的法规政策", sl, "check-laws"));
    return li;
  }

  function keep(u) {
    var show = showSel.value, dom = domainSel.value;
    if (dom && (u.domain_title || "重点项目") !== dom) return false;
    if (show === "new") return u["new"];
    if (show === "agencies") return u.suggested_agencies.some(function (a) { return !a.in_draft; });
    if (show === "changed") return u.counterparts.length && !u.counterparts[0].same_text;
    return true;
  }

  function drawUnits() {
    if (!current) return;
    var list = clear(document.getElementById("check-units"));
    var shown = 0;
    current.units.forEach(function (u) {
      if (!keep(u)) return;
      list.appendChild(drawUnit(u));
      shown++;
    });
    if (!shown) list.appendChild(el("li", "muted", "没有符合条件的条目。"));
  }
  showSel.addEventListener("change", drawUnits);
  domainSel.addEventListener("change", drawUnits);
  // a printed report shows what the page folds away
  window.addEventListener("beforeprint", function () {
    report.querySelectorAll("details").forEach(function (d) { d.setAttribute("data-was-open", d.open ? "1" : ""); d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    report.querySelectorAll("details").forEach(function (d) { d.open = d.getAttribute("data-was-open") === "1"; });
  });
})();
