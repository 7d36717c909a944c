/*
 * Draws the supervision charts with Apache ECharts (vendored, no CDN).
 *
 * Each chart is an element with data-chart="<id of a json_script>" and data-kind
 * ("stacked" or "bar"); the page's tables carry the same numbers, so the charts stay
 * hidden (and the page complete) when JavaScript is off.
 */
(function () {
  "use strict";

  // Status colours as the status badges use them (taolun.css); words are in the tables.
  var STATUS_COLOURS = {
    done: "#198754",
    done_late: "#8fbc8f",
    awaiting_review: "#e0b000",
    in_progress: "#6ea8fe",
    not_started: "#adb5bd",
    overdue: "#dc3545"
  };

  function option(kind, data) {
    var series = data.series.map(function (s) {
      var item = { name: s.name, type: "bar", data: s.data };
      if (kind === "stacked") {
        item.stack = "cells";
        if (STATUS_COLOURS[s.status]) {
          item.itemStyle = { color: STATUS_COLOURS[s.status] };
        }
      }
      return item;
    });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 6 ? 30 : 0 } },
      yAxis: kind === "bar" ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value", minInterval: 1 },
      series: series
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.categories || data.categories.length === 0) {
      return;
    }
    element.hidden = false;
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option(element.dataset.kind, data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
