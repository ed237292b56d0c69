// Unit and plan pages: copy a citation, carry the search query (?q=) along, highlight it in the text,
// and on a plan page bring the linked passage (#anchor) into view.
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var query = (params.get("q") || "").trim();
  var STOP = ["儿童", "妇女", "加强", "发展", "工作", "建设", "推进", "完善", "健全", "提高", "开展"];

  // terms to mark: the query's words (split at spaces and punctuation); a word the text lacks falls back
  // to its two-character pieces, leaving out the words every plan uses
  function terms(text) {
    var out = [];
    query.split(/[\s,，。、；;：:？?！!“”"'（）()]+/).forEach(function (w) {
      if (w.length < 2) return;
      if (text.indexOf(w) >= 0) { out.push(w); return; }
      for (var i = 0; i + 2 <= w.length; i++) {
        var bi = w.substr(i, 2);
        if (STOP.indexOf(bi) < 0 && text.indexOf(bi) >= 0 && out.indexOf(bi) < 0) out.push(bi);
      }
    });
    return out.sort(function (a, b) { return b.length - a.length; });
  }

  function mark(el) {
    var text = el.textContent;
    var ts = terms(text);
    if (!ts.length) return;
    var spans = [];
    ts.forEach(function (t) {
      var i = text.indexOf(t);
      while (i >= 0) {
        var end = i + t.length;
        if (!spans.some(function (s) { return i < s[1] && end > s[0]; })) spans.push([i, end]);
        i = text.indexOf(t, end);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var frag = document.createDocumentFragment();
    var pos = 0;
    spans.forEach(function (s) {
      frag.appendChild(document.createTextNode(text.slice(pos, s[0])));
      var m = document.createElement("mark");
      m.textContent = text.slice(s[0], s[1]);
      frag.appendChild(m);
      pos = s[1];
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    el.textContent = "";
    el.appendChild(frag);
  }

  if (query) {
    document.querySelectorAll("[data-keep-q]").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), location.href);
      url.searchParams.set("q", query);
      a.setAttribute("href", url.pathname + url.search + url.hash);
    });
    document.querySelectorAll("[data-highlight]").forEach(mark);
  }

  // plan page: the passage named by #anchor, marked and (with ?q=) its query words highlighted
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.classList.contains("unit")) {
      target.classList.add("is-target");
      var text = target.querySelector(".unit-text");
      if (query && text) mark(text);
    }
  }

  // copy citation
  var button = document.querySelector("[data-cite]");
  if (!button) return;
  var withSource = document.querySelector("[data-cite-with-source]");
  var shown = document.querySelector("[data-cite-text]");
  var status = document.querySelector("[data-cite-status]");
  function citation() {
    return withSource && withSource.checked ? button.getAttribute("data-cite-source") : button.getAttribute("data-cite");
  }
  if (withSource && shown) withSource.addEventListener("change", function () { shown.textContent = citation(); });
  function fallback(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }
  button.addEventListener("click", function () {
    var text = citation();
    var done = function (ok) { status.textContent = ok ? "已复制：" + text : "无法自动复制，请手动选取上面的引用。"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    } else {
      done(fallback(text));
    }
  });
})();
