// Target values of one indicator across plans (Chart.js bar chart); the table stays the source of truth.
(function () {
  "use strict";
  var canvas = document.getElementById("indicator-chart");
  var source = document.getElementById("indicator-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  var rows = JSON.parse(source.textContent).filter(function (r) { return r.value !== null && r.value !== undefined; });
  if (!rows.length) { canvas.parentNode.style.display = "none"; return; }
  var labels = rows.map(function (r) { return r.plan.title + (r.year ? "（" + r.year + "）" : ""); });
  // one dataset per unit of measure, so that ‰ and % are never drawn as the same quantity
  var units = [];
  rows.forEach(function (r) { if (units.indexOf(r.unit || "") < 0) units.push(r.unit || ""); });
  var colors = ["#3b78c2", "#d9822b", "#3a9a5b", "#8e5bbf"];
  var datasets = units.map(function (u, i) {
    return { label: "目标值" + (u ? "（" + u + "）" : ""), backgroundColor: colors[i % colors.length],
             data: rows.map(function (r) { return (r.unit || "") === u ? Number(r.value) : null; }) };
  });
  window.plankgChart = new window.Chart(canvas, {
    type: "bar",
    data: { labels: labels, datasets: datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y",
      datasets: { bar: { grouped: false } },
      plugins: { tooltip: { callbacks: { label: function (ctx) {
        var r = rows[ctx.dataIndex];
        return (r.comparator_label || "") + r.value + (r.unit || "") + (r.baseline !== null && r.baseline !== undefined ? "，基线 " + r.baseline : "");
      } } } },
      scales: { x: { beginAtZero: true } } }
  });
})();
