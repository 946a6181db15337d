// Charts of the dashboard and the rollup, drawn with the vendored Chart.js from data the
// page carries in <script type="application/json"> blocks (json_script): no inline
// JavaScript, so the Content-Security-Policy can forbid it. Every chart is followed on
// the page by a table with the same numbers, for screen readers and for print.
//
// A canvas opts in with data-chart="<id of its json_script block>". The data:
//   {kind: "doughnut" | "bar" | "line", horizontal, stacked, percent,
//    labels: [...], datasets: [{label, data: [...], colors: [...]}]}
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }

  var numbers = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  var percents = new Intl.NumberFormat("vi-VN", {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

  function format(value, percent) {
    if (value === null || value === undefined) {
      return "—";
    }
    return percent ? percents.format(value) + "%" : numbers.format(value);
  }

  Chart.defaults.font.family =
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  Chart.defaults.color = "#343a40";
  Chart.defaults.maintainAspectRatio = false;

  function dataset(spec, source) {
    var colors = source.colors || [];
    var one = colors.length === 1 ? colors[0] : null;
    var result = {
      label: source.label,
      data: source.data,
      backgroundColor: one || colors,
      borderColor: spec.kind === "line" ? one || colors : "#ffffff",
      borderWidth: spec.kind === "line" ? 2 : 1,
    };
    if (spec.kind === "line") {
      result.tension = 0.2;
      result.pointRadius = 4;
      result.spanGaps = true;
    }
    if (spec.kind === "bar") {
      result.maxBarThickness = 28;
    }
    return result;
  }

  function options(spec) {
    var valueAxis = spec.horizontal ? "x" : "y";
    var tooltipLabel = function (context) {
      var value = spec.horizontal && spec.kind === "bar" ? context.parsed.x : context.parsed.y;
      if (spec.kind === "doughnut") {
        value = context.parsed;
      }
      var name = spec.kind === "doughnut" ? context.label : context.dataset.label;
      return name + ": " + format(value, spec.percent);
    };
    var result = {
      responsive: true,
      animation: false,
      plugins: {
        legend: {
          display: spec.kind === "doughnut" || spec.datasets.length > 1,
          position: "bottom",
        },
        tooltip: { callbacks: { label: tooltipLabel } },
      },
    };
    if (spec.kind !== "doughnut") {
      result.indexAxis = spec.horizontal ? "y" : "x";
      var scales = {};
      scales[valueAxis] = {
        beginAtZero: true,
        stacked: !!spec.stacked,
        ticks: {
          precision: spec.percent ? undefined : 0,
          callback: function (value) {
            return numbers.format(value) + (spec.percent ? "%" : "");
          },
        },
      };
      if (spec.percent) {
        scales[valueAxis].max = 100;
      }
      var categoryAxis = { stacked: !!spec.stacked };
      if (spec.kind === "line") {
        categoryAxis.offset = true; // keeps the first and last points off the edges
      }
      scales[valueAxis === "x" ? "y" : "x"] = categoryAxis;
      result.scales = scales;
    } else {
      result.cutout = "55%";
    }
    return result;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    // Horizontal bars get the height their number of rows needs, so 200 organisations
    // stay readable instead of being squeezed into a fixed box.
    if (spec.kind === "bar" && spec.horizontal && canvas.parentElement) {
      var rows = spec.labels.length;
      canvas.parentElement.style.height = Math.max(180, rows * 26 + 70) + "px";
    }
    new Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (item) {
          return dataset(spec, item);
        }),
      },
      options: options(spec),
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);

  // Printing: open the tables folded in <details>, and let the charts fit the paper.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details[data-print-open]").forEach(function (details) {
      details.dataset.wasOpen = details.open ? "1" : "0";
      details.open = true;
    });
    Object.values(Chart.instances).forEach(function (chart) {
      chart.resize();
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-open]").forEach(function (details) {
      details.open = details.dataset.wasOpen === "1";
    });
    Object.values(Chart.instances).forEach(function (chart) {
      chart.resize();
    });
  });
})();
