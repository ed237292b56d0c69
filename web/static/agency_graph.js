// Agency responsibility graph (Cytoscape.js + fcose). Data comes from the page's JSON block.
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

  var palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22"];
  var regions = {};
  elements.nodes.forEach(function (n) {
    var r = n.data.region || "";
    if (n.data.kind === "agency" && !(r in regions)) regions[r] = palette[Object.keys(regions).length % palette.length];
  });
  var maxUnits = Math.max.apply(null, elements.nodes.map(function (n) { return n.data.units || 1; }));
  var maxWeight = Math.max.apply(null, [1].concat(elements.edges.map(function (e) { return e.data.weight || 1; })));

  var cy = window.cytoscape({
    container: box,
    elements: elements.nodes.concat(elements.edges),
    minZoom: 0.2, maxZoom: 4,
    style: [
      { selector: "node", style: {
          "label": "data(label)", "font-size": 11, "color": "#222", "text-valign": "bottom", "text-margin-y": 2,
          "text-outline-color": "#fff", "text-outline-width": 2, "min-zoomed-font-size": 6,
          "background-color": function (n) {
            var kind = n.data("kind");
            if (kind === "sector") return "#1f5fa8";  // agencies summed by type (above the page's cap)
            return kind === "agency" ? (regions[n.data("region") || ""] || "#888") : "#f2b134";
          },
          "shape": function (n) { return n.data("kind") === "domain" ? "round-rectangle" : "ellipse"; },
          "width": function (n) { return 10 + 30 * Math.sqrt((n.data("units") || 1) / maxUnits); },
          "height": function (n) { return 10 + 30 * Math.sqrt((n.data("units") || 1) / maxUnits); } } },
      { selector: "edge", style: {
          "width": function (e) { return 0.5 + 6 * (e.data("weight") || 1) / maxWeight; },
          "line-color": "#9aa7b5", "opacity": 0.55, "curve-style": "haystack" } },
      { selector: ".faded", style: { "opacity": 0.12 } },
      { selector: "node.focus", style: { "border-width": 3, "border-color": "#111" } }
    ],
    layout: hasFcose ? { name: "fcose", quality: "default", animate: false, randomize: true, nodeRepulsion: 20000,
                         idealEdgeLength: 110, nodeSeparation: 90, packComponents: true, padding: 20 }
                     : { name: "cose", animate: false }
  });

  cy.on("tap", "node", function (evt) {
    var url = evt.target.data("url");
    if (url) window.location.assign(url);
  });
  cy.on("mouseover", "node", function (evt) {
    var hood = evt.target.closedNeighborhood();
    cy.elements().not(hood).addClass("faded");
    evt.target.addClass("focus");
    box.title = evt.target.data("label") + "：" + (evt.target.data("units") || 0) + " 个条目";
  });
  cy.on("mouseout", "node", function () { cy.elements().removeClass("faded focus"); });
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
  box.parentNode.insertBefore(legend, box.nextSibling);
  box.classList.add("ready");
  window.plankgGraph = cy;  // for tests and the console
})();
