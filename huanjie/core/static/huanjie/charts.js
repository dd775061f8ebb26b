// Renders every <div class="chart" data-chart="ID"> from the JSON in <script id="ID" type="application/json">.
// The data comes from the server (json_script), so no inline script is needed under the CSP.
(function () {
  function render(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var option = {
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 30, bottom: 60 },
      legend: { top: 0 },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: spec.series.map(function (s) { return { name: s.name, type: spec.type || "bar", stack: spec.stack || null, data: s.data }; }),
      animation: false
    };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function renderAll(root) { (root || document).querySelectorAll(".chart[data-chart]").forEach(render); }
  document.addEventListener("DOMContentLoaded", function () { renderAll(); });
  document.addEventListener("htmx:afterSwap", function (e) { renderAll(e.target); });
})();
