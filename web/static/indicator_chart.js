// Target values of one indicator across plans (Chart.js, horizontal bars); the table stays the source of truth.
// Bars are sorted by value, coloured by target year, labelled with comparator and value (≤5‰); one dataset per
// unit of measure so that ‰ and % are never drawn as the same quantity. On a phone the labels are regions.
(function () {
  "use strict";
  var canvas = document.getElementById("indicator-chart");
  var source = document.getElementById("indicator-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  var rows = JSON.parse(source.textContent).filter(function (r) { return r.value !== null && r.value !== undefined; });
  if (!rows.length) { canvas.parentNode.style.display = "none"; return; }
  rows.sort(function (a, b) {
    return (a.unit || "").localeCompare(b.unit || "") || Number(b.value) - Number(a.value);
  });
  var narrow = window.matchMedia("(max-width: 600px)").matches;
  function place(title) {  // 杭州市儿童发展“十四五”规划 → 杭州市
    var m = /^(.+?)(儿童|妇女|妇儿)/.exec(title || "");
    return m ? m[1] : title;
  }
  var labels = rows.map(function (r) { return (narrow ? place(r.plan.title) : r.plan.title); });
  var years = [];
  rows.forEach(function (r) { var y = r.year || "未写年份"; if (years.indexOf(y) < 0) years.push(y); });
  years.sort();
  var palette = ["#3b78c2", "#d9822b", "#3a9a5b", "#8e5bbf", "#b8446b", "#5f6b76"];
  function colour(r) { return palette[years.indexOf(r.year || "未写年份") % palette.length]; }
  var units = [];
  rows.forEach(function (r) { if (units.indexOf(r.unit || "") < 0) units.push(r.unit || ""); });
  var datasets = units.map(function (u) {
    return { label: "目标值" + (u ? "（" + u + "）" : ""),
             backgroundColor: rows.map(colour),
             data: rows.map(function (r) { return (r.unit || "") === u ? Number(r.value) : null; }) };
  });
  function text(r) { return (r.comparator_label || "") + r.value + (r.unit || ""); }
  var valueLabels = {  // comparator and value at the end of each bar
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "12px sans-serif";
      ctx.fillStyle = "#1d2329";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (ds, i) {
        chart.getDatasetMeta(i).data.forEach(function (bar, j) {
          if (ds.data[j] === null) return;
          ctx.fillText(text(rows[j]), bar.x + 4, bar.y);
        });
      });
      ctx.restore();
    }
  };
  canvas.parentNode.style.height = Math.max(220, rows.length * 34 + 70) + "px";
  var legend = document.getElementById("indicator-years");
  if (legend) {
    legend.innerHTML = "";
    years.forEach(function (y, i) {
      var item = document.createElement("span");
      var dot = document.createElement("i");
      dot.style.background = palette[i % palette.length];
      item.appendChild(dot);
      item.appendChild(document.createTextNode(typeof y === "number" ? y + " 年目标" : y));
      legend.appendChild(item);
    });
  }
  var max = Math.max.apply(null, rows.map(function (r) { return Number(r.value); }));
  window.plankgChart = new window.Chart(canvas, {
    type: "bar",
    plugins: [valueLabels],
    data: { labels: labels, datasets: datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y",
      layout: { padding: { right: 8 } },
      datasets: { bar: { grouped: false, maxBarThickness: 22 } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) {
        var r = rows[ctx.dataIndex];
        return text(r) + (r.year ? "（" + r.year + " 年）" : "") +
          (r.baseline !== null && r.baseline !== undefined ? "，基线 " + r.baseline + (r.unit || "") : "");
      } } } },
      scales: { x: { beginAtZero: true, suggestedMax: max * 1.25 },
                y: { ticks: { autoSkip: false, font: { size: narrow ? 11 : 12 } } } } }
  });
})();
