// Upload page: the admin token (sessionStorage), files by drag-and-drop or the file dialog, a dry run of
// adding them (POST /api/admin/preview), then the good ones added one request each (POST /api/admin/plans).
// Everything from the server is put in the page with textContent, never as HTML.
(function () {
  "use strict";
  var app = document.getElementById("upload-app");
  if (!app || !window.fetch || !window.FormData) return;
  var KEY = "plankg-admin-token";
  var maxUpload = parseInt(app.getAttribute("data-max-upload"), 10) || 20 * 1024 * 1024;
  var previewUrl = app.getAttribute("data-preview");
  var addUrl = app.getAttribute("data-add");
  var tokenForm = document.getElementById("token-form");
  var tokenInput = document.getElementById("admin-token");
  var tokenState = document.getElementById("token-state");
  var drop = document.getElementById("dropzone");
  var input = document.getElementById("file-input");
  var commit = document.getElementById("commit");
  var clearBtn = document.getElementById("clear-files");
  var status = document.getElementById("status");
  var summary = document.getElementById("preview-summary");
  var list = document.getElementById("preview-list");
  var results = document.getElementById("results");
  var resultList = document.getElementById("result-list");

  var files = [];     // File objects, in the order chosen (a later file of the same name replaces the earlier)
  var previews = {};  // file name -> its preview entry
  var busy = false;

  var ROLE = { domains: "发展领域", key_projects: "重点项目", principles: "总体要求", implementation: "组织实施",
               monitoring: "监测评估", other: "其他" };
  var KIND = { goal: "目标", measure: "措施", key_project: "重点项目" };
  var ACTION = { "new": "新增", replace: "替换", unchanged: "未变化", error: "错误" };

  // ------------------------------------------------------------------ small DOM helpers (dom.js)
  var el = window.plankgDom.el, add = window.plankgDom.add, book = window.plankgDom.book;
  function size(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }
  function where(err) {
    return (err.file || "") + (err.line ? ":" + err.line : "");
  }

  // ------------------------------------------------------------------ the token
  function token() { return sessionStorage.getItem(KEY) || ""; }
  function showToken() {
    var t = token();
    tokenInput.value = t;
    tokenState.textContent = t ? "令牌已保存在本标签页。" : "请先粘贴管理令牌。";
  }
  tokenForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = tokenInput.value.trim();
    if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY);
    showToken();
    if (t && files.length) runPreview();
  });
  document.getElementById("token-clear").addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    showToken();
    tokenInput.focus();
  });
  function needToken() {
    if (token()) return false;
    status.textContent = "请先输入并保存管理令牌。";
    tokenInput.focus();
    return true;
  }
  function authHeaders() { return { Authorization: "Bearer " + token() }; }

  // ------------------------------------------------------------------ choosing files
  drop.addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () {
    choose(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = "copy";
      drop.classList.add("dragging");
    });
  });
  ["dragleave", "dragend"].forEach(function (type) {
    drop.addEventListener(type, function () { drop.classList.remove("dragging"); });
  });
  drop.addEventListener("drop", function (ev) {
    ev.preventDefault();
    drop.classList.remove("dragging");
    if (ev.dataTransfer) choose(ev.dataTransfer.files);
  });
  // a file dropped next to the zone must not make the browser leave the page to open it
  window.addEventListener("dragover", function (ev) { ev.preventDefault(); });
  window.addEventListener("drop", function (ev) { ev.preventDefault(); });

  function choose(chosen) {
    if (busy || !chosen || !chosen.length) return;
    Array.prototype.forEach.call(chosen, function (f) {
      files = files.filter(function (g) { return g.name !== f.name; });
      files.push(f);
    });
    results.hidden = true;
    resultList.textContent = "";
    runPreview();
  }
  clearBtn.addEventListener("click", function () {
    files = [];
    previews = {};
    list.textContent = "";
    summary.textContent = "尚未选择文件。";
    status.textContent = "";
    update();
  });

  // ------------------------------------------------------------------ the preview
  // requests of at most the upload limit each; a file over the limit is refused here, as the server would
  function batches() {
    var out = [], cur = [], total = 0, over = [];
    files.forEach(function (f) {
      if (f.size > maxUpload) { over.push(f); return; }
      if (cur.length && total + f.size > maxUpload) { out.push(cur); cur = []; total = 0; }
      cur.push(f);
      total += f.size;
    });
    if (cur.length) out.push(cur);
    return { batches: out, over: over };
  }

  function runPreview() {
    update();
    if (!files.length || needToken()) return;
    busy = true;
    update();
    status.textContent = "正在解析 " + files.length + " 个文件…";
    previews = {};
    var plan = batches();
    plan.over.forEach(function (f) {
      previews[f.name] = { file: f.name, bytes: f.size, action: "error", outline: null,
        error: { file: f.name, line: null, reason: "超过 " + size(maxUpload) + " 的上传上限", status: 413 } };
    });
    var chain = Promise.resolve();
    plan.batches.forEach(function (batch) {
      chain = chain.then(function () {
        var form = new FormData();
        batch.forEach(function (f) { form.append("file", f, f.name); });
        return fetch(previewUrl, { method: "POST", headers: authHeaders(), body: form })
          .then(function (resp) {
            return resp.json().catch(function () { return { error: "HTTP " + resp.status }; })
              .then(function (body) { return { resp: resp, body: body }; });
          })
          .then(function (r) {
            if (r.resp.status === 401 || r.resp.status === 403) {
              sessionStorage.removeItem(KEY);
              showToken();
              throw new Error(r.resp.status === 401 ? "令牌不正确，请重新输入。" : "管理接口未启用。");
            }
            if (!r.resp.ok) {
              batch.forEach(function (f) {
                previews[f.name] = { file: f.name, bytes: f.size, action: "error", outline: null,
                  error: { file: f.name, line: null, reason: r.body.error || "HTTP " + r.resp.status, status: r.resp.status } };
              });
              return;
            }
            r.body.files.forEach(function (entry, i) { previews[batch[i].name] = entry; });
          });
      });
    });
    chain.then(function () {
      render();
      status.textContent = "预览完成。";
    }).catch(function (err) {
      status.textContent = err.message || String(err);
      if (!token()) tokenInput.focus();
    }).then(function () {
      busy = false;
      update();
    });
  }

  function good(entry) { return entry && !entry.committed && (entry.action === "new" || entry.action === "replace"); }

  function update() {
    var ready = files.filter(function (f) { return good(previews[f.name]); }).length;
    commit.disabled = busy || ready === 0;
    commit.textContent = ready ? "确认导入（" + ready + " 个文件）" : "确认导入";
    clearBtn.disabled = busy || !files.length;
    drop.disabled = busy;
    app.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function render() {
    list.textContent = "";
    var counts = { "new": 0, replace: 0, unchanged: 0, error: 0, done: 0 };
    files.forEach(function (f) {
      var entry = previews[f.name];
      if (!entry) return;
      var key = entry.committed ? "done" : entry.action;
      counts[key] = (counts[key] || 0) + 1;
      list.appendChild(card(f, entry));
    });
    summary.textContent = files.length + " 个文件：" + (counts.done ? "已导入 " + counts.done + "，" : "") +
      "新增 " + counts["new"] + "，替换 " + counts.replace + "，未变化 " + counts.unchanged + "，有错误 " +
      counts.error + "。" + (counts["new"] + counts.replace ? "确认前不会改动任何数据。" : "");
    update();
  }

  function actionLine(entry) {
    var p = el("p", "uf-action action-" + entry.action);
    if (entry.committed) {
      p.className = "uf-action action-done";
      p.textContent = entry.committed === "replaced" ? "已替换（见导入结果）" : entry.committed === "added" ? "已新增（见导入结果）" : "未变化";
    } else if (entry.action === "error") {
      var e = entry.error || {};
      p.textContent = "错误：" + (e.file ? where(e) + ": " : "") + (e.reason || "");
      p.setAttribute("role", "alert");
    } else if (entry.action === "replace") {
      p.textContent = "导入后：替换 " + entry.replaces.join("、") +
        (entry.replaced_plans.length ? "（" + entry.replaced_plans.map(book).join("、") + "）" : "");
    } else if (entry.action === "unchanged") {
      p.textContent = "导入后：未变化（与已存储的 " + entry.same_as + " 完全相同，将跳过）";
    } else {
      p.textContent = "导入后：新增";
    }
    return p;
  }

  function card(f, entry) {
    var li = el("li", "upload-file state-" + entry.action);
    var o = entry.outline;
    var head = el("div", "uf-head");
    add(head, el("span", "uf-name", entry.file || f.name), entry.committed
      ? el("span", "badge action-badge action-done", "已导入")
      : el("span", "badge action-badge action-" + entry.action, ACTION[entry.action] || entry.action));
    if (o) {
      add(head, el("span", "badge", o.format.toUpperCase()),
        el("span", "muted", o.lines + " 行 · " + size(entry.bytes || f.size)));
    } else {
      add(head, el("span", "muted", size(entry.bytes || f.size)));
    }
    add(li, head, actionLine(entry));
    if (!o) return li;
    (o.notices || []).forEach(function (n) { li.appendChild(el("p", "muted", "提示：" + n)); });
    if (!o.plans.length) li.appendChild(el("p", "muted", "未找到规划。"));
    o.plans.forEach(function (p) { li.appendChild(planBlock(p)); });
    if (o.warnings.length) {
      var wl = el("ul", "uf-warnings");
      wl.setAttribute("aria-label", "解析警告");
      o.warnings.forEach(function (w) {
        wl.appendChild(el("li", null, "警告 " + entry.file + ":" + w.line + "：" + w.message));
      });
      li.appendChild(wl);
    }
    return li;
  }

  function count(list_, n, label) {
    var item = el("li");
    add(item, el("b", null, n), document.createTextNode(" " + label));
    list_.appendChild(item);
  }

  function planBlock(p) {
    var box = el("div", "uf-plan");
    var title = el("p", "uf-plan-title");
    title.appendChild(el("strong", null, p.title || "（无标题）"));
    if (p.title_inferred) {
      var b = el("span", "badge inferred", "推断");
      b.title = "标题由正文推断：" + (p.title_evidence || "");
      title.appendChild(document.createTextNode(" "));
      title.appendChild(b);
    } else {
      title.appendChild(document.createTextNode(" "));
      title.appendChild(el("span", "src", "第 " + p.line + " 行"));
    }
    box.appendChild(title);
    if (p.title_inferred && p.title_evidence) box.appendChild(el("p", "muted small", "推断依据：" + p.title_evidence));
    var c = p.counts, x = p.extracted || {};
    var nums = el("ul", "uf-counts");
    nums.setAttribute("aria-label", "数量");
    count(nums, c.domains, "领域");
    count(nums, c.goals, "目标");
    count(nums, c.measures, "措施");
    count(nums, c.key_projects, "重点项目");
    count(nums, c.tables, c.tables ? "指标表（" + c.table_rows + " 行）" : "指标表");
    if (p.extracted) {
      count(nums, x.agencies, "部门");
      count(nums, x.laws, "引用法规");
      count(nums, x.indicators, "指标");
    }
    box.appendChild(nums);
    if (p.excerpt) box.appendChild(el("p", "muted small", "未找到“发展领域”部分标题：领域与条目取自正文。"));
    if (p.stray_lines.length) {
      box.appendChild(el("p", "uf-stray", "领域部分有 " + p.stray_lines.length + " 行未归入任何条目。"));
    }
    box.appendChild(outline(p));
    return box;
  }

  function outline(p) {
    var d = el("details", "uf-outline");
    d.appendChild(el("summary", null, "大纲：" + p.sections.length + " 个部分，" + p.domains.length + " 个领域"));
    var secs = el("ul", "outline");
    p.sections.forEach(function (s) {
      var li = el("li");
      add(li, el("span", null, s.number + ". " + s.title + " "), el("span", "badge role-" + s.role, ROLE[s.role] || s.role),
        document.createTextNode(" "), el("span", "src", "第 " + s.line + " 行"));
      if (s.role === "domains" && p.domains.length) {
        var doms = el("ul", "outline");
        p.domains.forEach(function (dm) {
          var di = el("li");
          add(di, el("span", null, "（" + dm.number + "）" + (dm.title || "（无标题）") + " "),
            el("span", "muted", "目标 " + dm.goals + " · 措施 " + dm.measures + " "),
            el("span", "src", "第 " + dm.line + " 行"));
          if (dm.labels.length) {
            var labs = el("ul", "outline");
            dm.labels.forEach(function (lab) {
              labs.appendChild(el("li", "muted", lab.text.replace(/[：:]\s*$/, "") + "（" + (KIND[lab.kind] || lab.kind) + "）" + lab.items +
                " 条 · 第 " + lab.line + " 行"));
            });
            di.appendChild(labs);
          }
          doms.appendChild(di);
        });
        li.appendChild(doms);
      }
      secs.appendChild(li);
    });
    d.appendChild(secs);
    if (p.stray_lines.length) {
      var st = el("ul", "outline stray");
      st.setAttribute("aria-label", "未归入条目的行");
      p.stray_lines.slice(0, 20).forEach(function (s) {
        st.appendChild(el("li", "muted", "第 " + s.line + " 行：" + s.text.slice(0, 60)));
      });
      if (p.stray_lines.length > 20) st.appendChild(el("li", "muted", "… 另有 " + (p.stray_lines.length - 20) + " 行"));
      add(d, el("p", "small", "未归入条目的行："), st);
    }
    return d;
  }

  // ------------------------------------------------------------------ adding the good files
  commit.addEventListener("click", function () {
    if (busy || needToken()) return;
    var todo = files.filter(function (f) { return good(previews[f.name]); });
    if (!todo.length) return;
    busy = true;
    update();
    results.hidden = false;
    resultList.textContent = "";
    if (results.scrollIntoView) results.scrollIntoView({ block: "nearest" });
    var done = 0, failed = 0;
    var chain = Promise.resolve();
    todo.forEach(function (f, i) {
      chain = chain.then(function () {
        status.textContent = "正在导入 " + (i + 1) + "/" + todo.length + "：" + f.name + "…";
        var item = el("li", "upload-result pending", f.name + "：导入中…");
        resultList.appendChild(item);
        var form = new FormData();
        form.append("file", f, f.name);
        return fetch(addUrl, { method: "POST", headers: authHeaders(), body: form })
          .then(function (resp) {
            return resp.json().catch(function () { return { error: "HTTP " + resp.status }; })
              .then(function (body) { showResult(item, f, resp, body); if (resp.ok) done++; else failed++; });
          })
          .catch(function (err) { item.className = "upload-result failed"; item.textContent = f.name + "：请求失败：" + err; failed++; });
      });
    });
    chain.then(function () {
      status.textContent = "导入完成：成功 " + done + " 个" + (failed ? "，失败 " + failed + " 个" : "") + "。";
      busy = false;
      render();
    });
  });

  function showResult(item, f, resp, body) {
    item.textContent = "";
    if (!resp.ok) {
      item.className = "upload-result failed";
      var e = body || {};
      item.textContent = "失败 " + f.name + "（" + resp.status + "）：" + (e.error || "");
      item.setAttribute("role", "alert");
      return;
    }
    previews[f.name].committed = body.status;
    item.className = "upload-result ok";
    var verb = body.status === "replaced" ? "已替换" : body.status === "added" ? "已新增" : "未变化";
    item.appendChild(el("strong", null, verb + " " + f.name));
    if (body.replaced && body.replaced.length) item.appendChild(document.createTextNode("（替换 " + body.replaced.join("、") + "）"));
    (body.plans || []).forEach(function (p) {
      var a = el("a", null, book(p.title));
      a.href = p.iri.replace("https://w3id.org/plankg/id/", "/id/");
      item.appendChild(document.createTextNode(" "));
      item.appendChild(a);
    });
    var meta = [];
    if (body.totals) meta.push("现共 " + body.totals.plans + " 个规划、" + body.totals.files + " 个文件");
    if (body.seconds && body.seconds.total !== undefined) meta.push("用时 " + Number(body.seconds.total).toFixed(1) + " 秒");
    if (meta.length) item.appendChild(el("span", "muted", " · " + meta.join(" · ")));
  }

  showToken();
  update();
})();
