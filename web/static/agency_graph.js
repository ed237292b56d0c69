// Agency responsibility graph (Cytoscape.js + fcose). Data comes from the page's JSON block.
// The layout is deterministic (nodes start on a circle ordered by size, fcose without randomising);
// the busiest nodes are labelled at fit and every node once zoomed in; a click or tap opens the side panel;
// the search box centres a node; +/−/全图 zoom; mention-only edges are dashed.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  var source = document.getElementById("graph-data");
  if (!box || !source || typeof window.cytoscape === "undefined") return;
  var elements = JSON.parse(source.textContent);
  if (!elements.nodes.length) {
    box.textContent = "没有符合条件的部门。";
    box.classList.add("empty");
    return;
  }
  var hasFcose = typeof window.cytoscapeFcose !== "undefined";
  if (hasFcose) window.cytoscape.use(window.cytoscapeFcose);
  var LABELLED = window.matchMedia("(max-width: 600px)").matches ? 8 : 15;  // labelled at fit zoom
  var SCREEN_FONT = 13;  // label size on screen, whatever the zoom

  var palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22"];
  var regions = {};
  var nodes = elements.nodes.slice().sort(function (a, b) {
    return (b.data.units || 0) - (a.data.units || 0) || (a.data.id < b.data.id ? -1 : 1);
  });
  nodes.forEach(function (n, i) {
    n.data.rank = i;
    var r = n.data.region || "";
    if (n.data.kind === "agency" && !(r in regions)) regions[r] = palette[Object.keys(regions).length % palette.length];
    var angle = 2 * Math.PI * i / nodes.length;  // deterministic start: a circle by size
    n.position = { x: 300 * Math.cos(angle), y: 300 * Math.sin(angle) };
  });
  var maxUnits = Math.max.apply(null, nodes.map(function (n) { return n.data.units || 1; }));
  var maxWeight = Math.max.apply(null, [1].concat(elements.edges.map(function (e) { return e.data.weight || 1; })));
  elements.edges.forEach(function (e) {
    e.classes = (e.data.carried === 0) ? "mention" : "";
  });

  var cy = window.cytoscape({
    container: box,
    elements: nodes.concat(elements.edges),
    minZoom: 0.2, maxZoom: 4, wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
          "label": "", "font-size": SCREEN_FONT, "color": "#1d2329", "text-valign": "bottom", "text-margin-y": 2,
          "text-outline-color": "#fff", "text-outline-width": 2,
          "background-color": function (n) {
            var kind = n.data("kind");
            if (kind === "sector") return "#1f5fa8";  // agencies summed by type (above the page's cap)
            return kind === "agency" ? (regions[n.data("region") || ""] || "#888") : "#f2b134";
          },
          "shape": function (n) { return n.data("kind") === "domain" ? "round-rectangle" : "ellipse"; },
          "width": function (n) { return 12 + 30 * Math.sqrt((n.data("units") || 1) / maxUnits); },
          "height": function (n) { return 12 + 30 * Math.sqrt((n.data("units") || 1) / maxUnits); } } },
      { selector: "node.labelled, node.focus, node.found", style: { "label": "data(label)" } },
      { selector: "edge", style: {
          "width": function (e) { return 0.8 + 6 * (e.data("weight") || 1) / maxWeight; },
          "line-color": "#8d9aa8", "opacity": 0.6, "curve-style": "haystack" } },
      { selector: "edge.mention", style: { "line-style": "dashed", "curve-style": "straight", "opacity": 0.45 } },
      { selector: ".faded", style: { "opacity": 0.1 } },
      { selector: "node.focus, node.found", style: { "border-width": 3, "border-color": "#111" } }
    ],
    layout: hasFcose ? { name: "fcose", quality: "default", animate: false, randomize: false, nodeRepulsion: 20000,
                         idealEdgeLength: 110, nodeSeparation: 90, packComponents: true, padding: 24 }
                     : { name: "preset" }
  });

  function relabel() {  // the busiest nodes at fit zoom, every node once zoomed in; labels stay SCREEN_FONT px
    var z = cy.zoom();
    var all = z >= 1.2 * fitZoom || cy.nodes().length <= LABELLED;
    cy.batch(function () {
      cy.nodes().forEach(function (n) { n.toggleClass("labelled", all || n.data("rank") < LABELLED); });
      cy.style().selector("node").style("font-size", SCREEN_FONT / z).update();
    });
  }
  if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); }  // a handful of nodes: not blown up to the box
  var fitZoom = cy.zoom();
  cy.on("zoom", relabel);
  relabel();

  // side panel: what the node carries, then the way on
  var panel = document.getElementById("graph-panel");
  var status = document.getElementById("graph-status");
  function openPanel(n) {
    if (!panel) { if (n.data("url")) window.location.assign(n.data("url")); return; }
    var d = n.data();
    document.getElementById("panel-title").textContent = d.label;
    var facts = (d.region ? d.region + " · " : "") + "涉及 " + (d.units || 0) + " 个条目";
    if (d.kind !== "domain") facts += "：牵头 " + (d.lead || 0) + "，配合 " + (d.partner || 0) + "，提及 " + (d.mentioned || 0);
    document.getElementById("panel-facts").textContent = facts;
    var partners = n.neighborhood("node").sort(function (a, b) {
      return (b.edgesWith(n).data("weight") || 0) - (a.edgesWith(n).data("weight") || 0);
    }).slice(0, 6).map(function (m) { return m.data("label") + "（" + (m.edgesWith(n).data("weight") || 0) + "）"; });
    document.getElementById("panel-partners").textContent = partners.length ? "常一同负责：" + partners.join("、") : "";
    var link = document.getElementById("panel-link");
    link.href = d.url || "#";
    link.textContent = d.kind === "domain" ? "查看这一领域" : "查看负责的 " + (d.units || 0) + " 个条目";
    panel.hidden = false;
    if (window.matchMedia("(max-width: 600px)").matches) panel.scrollIntoView({ block: "nearest" });  // below the graph
    cy.elements().removeClass("faded focus");
    cy.elements().not(n.closedNeighborhood()).addClass("faded");
    n.addClass("focus");
  }
  function closePanel() {
    if (panel) panel.hidden = true;
    cy.elements().removeClass("faded focus found");
  }
  cy.on("tap", "node", function (evt) { openPanel(evt.target); });
  cy.on("tap", function (evt) { if (evt.target === cy) closePanel(); });
  if (panel) panel.querySelector(".graph-panel-close").addEventListener("click", closePanel);

  // find a node by (part of) its name
  var find = document.getElementById("graph-find");
  if (find) {
    var go = function () {
      var q = find.value.trim();
      if (!q) return;
      var exact = cy.nodes().filter(function (n) { return n.data("label") === q; });
      var hits = exact.length ? exact : cy.nodes().filter(function (n) {  // part of the name, or a usual short name
        return (n.data("label") || "").indexOf(q) >= 0 ||
          (n.data("aliases") || []).some(function (a) { return a.indexOf(q) >= 0 || q.indexOf(a) >= 0; });
      });
      if (!hits.length) { status.textContent = "没有找到“" + q + "”"; return; }
      var n = hits.sort(function (a, b) { return (b.data("units") || 0) - (a.data("units") || 0); })[0];
      status.textContent = hits.length > 1 ? "找到 " + hits.length + " 个，显示涉及条目最多的一个" : "";
      cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.5 * fitZoom) }, { duration: 250 });
      n.addClass("found");
      openPanel(n);
    };
    find.addEventListener("change", go);
    find.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); go(); } });
  }
  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var how = b.getAttribute("data-zoom");
      if (how === "fit") { cy.fit(undefined, 24); return; }
      var c = { x: box.clientWidth / 2, y: box.clientHeight / 2 };
      cy.zoom({ level: cy.zoom() * (how === "in" ? 1.4 : 1 / 1.4), renderedPosition: c });
    });
  });

  var legend = document.createElement("p");
  legend.className = "legend";
  Object.keys(regions).forEach(function (r) {
    var item = document.createElement("span");
    var dot = document.createElement("i");
    dot.style.background = regions[r];
    item.appendChild(dot);
    item.appendChild(document.createTextNode(r || "未知地区"));
    legend.appendChild(item);
  });
  var area = box.parentNode;
  area.parentNode.insertBefore(legend, area.nextSibling);
  box.classList.add("ready");
  window.plankgGraph = cy;  // for tests and the console
})();
