// Small DOM helpers of the pages that draw from JSON (check.js, upload.js): text always goes in with
// textContent, never as HTML.
(function () {
  "use strict";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function link(href, text, cls) {
    var a = el("a", cls, text);
    if (href) a.href = href;
    return a;
  }
  function book(t) { return "《" + t + "》"; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  window.plankgDom = { el: el, add: add, link: link, book: book, clear: clear };
})();
