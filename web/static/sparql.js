// SPARQL page: example picker, run the query with fetch, show the results as a table.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  if (!form || !window.fetch) return;
  var text = document.getElementById("query");
  var picker = document.getElementById("examples");
  var fmt = document.getElementById("format");
  var status = document.getElementById("status");
  var out = document.getElementById("results");
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var accept = { json: "application/sparql-results+json", csv: "text/csv", tsv: "text/tab-separated-values",
                 xml: "application/sparql-results+xml" };

  picker.addEventListener("change", function () {
    var e = examples.filter(function (x) { return x.id === picker.value; })[0];
    if (e) text.value = e.query;
  });

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && term.value.indexOf(location.origin) !== 0 && term.value.indexOf("https://w3id.org/plankg/id/") === 0) {
      var a = document.createElement("a");
      a.href = term.value.replace("https://w3id.org/plankg/id/", "/id/");
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
    }
    return td;
  }

  function table(json) {
    if (typeof json.boolean === "boolean") {
      var p = document.createElement("p");
      p.textContent = "结果：" + (json.boolean ? "true" : "false");
      return p;
    }
    var t = document.createElement("table");
    t.className = "table";
    var head = t.createTHead().insertRow();
    json.head.vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    var body = t.createTBody();
    json.results.bindings.forEach(function (b) {
      var tr = body.insertRow();
      json.head.vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
    });
    return t;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t0 = performance.now();
    status.textContent = "查询中…";
    out.textContent = "";
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
          var pre = document.createElement("pre"); pre.className = "error"; pre.textContent = r.body; out.appendChild(pre);
          return;
        }
        var rows = r.resp.headers.get("X-PlanKG-Rows");
        var cut = r.resp.headers.get("X-PlanKG-Truncated") === "true";
        status.textContent = (rows !== null ? rows + " 行，" : "") + ms + " 毫秒" + (cut ? "（结果已截断）" : "");
        var type = r.resp.headers.get("Content-Type") || "";
        if (type.indexOf("json") >= 0) { out.appendChild(table(JSON.parse(r.body))); }
        else { var pre2 = document.createElement("pre"); pre2.textContent = r.body; out.appendChild(pre2); }
      })
      .catch(function (err) { status.textContent = "请求失败：" + err; });
  });
})();
