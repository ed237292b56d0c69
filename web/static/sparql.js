// SPARQL page: example picker, the query kept in the URL (#query=), Ctrl+Enter, results as a table
// (labels before IRIs, long text folded), errors in Chinese with line and column, downloads.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  if (!form || !window.fetch) return;
  var text = document.getElementById("query");
  var picker = document.getElementById("examples");
  var fmt = document.getElementById("format");
  var status = document.getElementById("status");
  var out = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var copyLink = document.getElementById("copy-link");
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var accept = { json: "application/sparql-results+json", csv: "text/csv", tsv: "text/tab-separated-values",
                 xml: "application/sparql-results+xml" };
  var LONG = 160;

  picker.addEventListener("change", function () {
    var e = examples.filter(function (x) { return x.id === picker.value; })[0];
    if (e) text.value = e.query;
  });

  function link(term) {
    var a = document.createElement("a");
    a.href = term.value.replace("https://w3id.org/plankg/id/", "/id/");
    a.textContent = term.value;
    return a;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && term.value.indexOf("https://w3id.org/plankg/id/") === 0) {
      td.appendChild(link(term));
    } else if (term.value.length > LONG) {
      var short = document.createElement("span");
      short.textContent = term.value.slice(0, LONG) + "…";
      var more = document.createElement("button");
      more.type = "button";
      more.className = "link-button";
      more.textContent = "展开";
      more.addEventListener("click", function () {
        var open = more.textContent === "展开";
        short.textContent = open ? term.value : term.value.slice(0, LONG) + "…";
        more.textContent = open ? "收起" : "展开";
      });
      td.appendChild(short);
      td.appendChild(more);
    } else {
      td.textContent = term.value;
    }
    return td;
  }

  // literal columns (names, titles, counts) first, IRI columns after them, each group in query order
  function columnOrder(json) {
    var vars = json.head.vars;
    var isIri = {};
    vars.forEach(function (v) {
      isIri[v] = json.results.bindings.some(function (b) { return b[v] && b[v].type === "uri"; });
    });
    return vars.filter(function (v) { return !isIri[v]; }).concat(vars.filter(function (v) { return isIri[v]; }));
  }

  function table(json) {
    if (typeof json.boolean === "boolean") {
      var p = document.createElement("p");
      p.textContent = "结果：" + (json.boolean ? "是（true）" : "否（false）");
      return p;
    }
    var vars = columnOrder(json);
    var t = document.createElement("table");
    t.className = "table";
    var head = t.createTHead().insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    var body = t.createTBody();
    json.results.bindings.forEach(function (b) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
    });
    return t;
  }

  // "SPARQL syntax error: error at 3:11: expected one of …" → 第 3 行第 11 列 + the detail
  function explain(status, body) {
    var m = /(\d+):(\d+)/.exec(body);
    var div = document.createElement("div");
    div.className = "error";
    var head = document.createElement("p");
    if (/syntax error/i.test(body)) {
      head.textContent = "查询有语法错误" + (m ? "：第 " + m[1] + " 行第 " + m[2] + " 列附近" : "") + "。";
      if (m) markLine(parseInt(m[1], 10), parseInt(m[2], 10));
    } else if (status === 503 || /timeout|timed out/i.test(body)) {
      head.textContent = "查询超时或服务繁忙，请缩小范围（例如加 LIMIT）后再试。";
    } else if (status === 413) {
      head.textContent = "查询太长。";
    } else {
      head.textContent = "查询没有成功（" + status + "）。";
    }
    var detail = document.createElement("pre");
    detail.textContent = "原始信息：" + body;
    div.appendChild(head);
    div.appendChild(detail);
    return div;
  }

  function markLine(line, col) {  // put the cursor where the parser stopped
    var lines = text.value.split("\n");
    var pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, col - 1);
    text.focus();
    text.setSelectionRange(pos, pos);
  }

  // the query rides in the fragment (#query=…): a ?query= on /sparql would be run by the protocol endpoint
  function shareUrl() {
    var url = new URL(location.href);
    url.hash = "query=" + encodeURIComponent(text.value);
    return url.toString();
  }

  function setDownloads() {
    var endpoint = form.getAttribute("action");
    downloads.querySelectorAll("[data-download]").forEach(function (a) {
      var f = a.getAttribute("data-download");
      a.href = endpoint + "?" + new URLSearchParams({ query: text.value, format: f, download: "1" }).toString();
      a.setAttribute("download", "plankg-results." + f);
    });
    downloads.hidden = false;
  }

  function run() {
    var t0 = performance.now();
    status.textContent = "查询中…";
    out.textContent = "";
    downloads.hidden = true;
    history.replaceState(null, "", shareUrl());
    fetch(form.action, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded",
                                                     "Accept": accept[fmt.value] || accept.json },
                         body: new URLSearchParams({ query: text.value }) })
      .then(function (resp) {
        return resp.text().then(function (body) { return { resp: resp, body: body }; });
      })
      .then(function (r) {
        var ms = Math.round(performance.now() - t0);
        if (!r.resp.ok) {
          status.textContent = "出错（" + r.resp.status + "）";
          out.appendChild(explain(r.resp.status, r.body));
          return;
        }
        var rows = r.resp.headers.get("X-PlanKG-Rows");
        var cut = r.resp.headers.get("X-PlanKG-Truncated") === "true";
        status.textContent = (rows !== null ? rows + " 行，" : "") + ms + " 毫秒" + (cut ? "（结果已截断）" : "");
        var type = r.resp.headers.get("Content-Type") || "";
        if (type.indexOf("sparql-results+json") >= 0) {
          var json = JSON.parse(r.body);
          out.appendChild(table(json));
          if (json.head && json.head.vars) setDownloads();
        } else {
          var pre2 = document.createElement("pre"); pre2.textContent = r.body; out.appendChild(pre2);
          setDownloads();
        }
      })
      .catch(function (err) { status.textContent = "请求失败：" + err; });
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });
  copyLink.addEventListener("click", function () {
    var url = shareUrl();
    history.replaceState(null, "", url);
    var done = function () { status.textContent = "链接已复制"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () { status.textContent = "请从地址栏复制链接"; });
    } else {
      status.textContent = "请从地址栏复制链接";
    }
  });

  var given = new URLSearchParams(location.hash.slice(1)).get("query");
  if (given) { text.value = given; run(); }
})();
