/* Draws the bill page's charts with Chart.js from the page's JSON data island (amounts in integer fen). */
(function () {
  "use strict";
  var island = document.getElementById("bills-data");
  if (!island || typeof Chart === "undefined") { return; }
  var data = JSON.parse(island.textContent);
  var labels = JSON.parse(document.getElementById("bills-labels").textContent);
  var FALLBACK = ["#0b5cad", "#2e9d5b", "#e67e22", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#d4ac0d"];
  /* The tenant's own colours first: a theme's --chart-1..8 if it sets them, else its brand and accent colours. */
  var css = getComputedStyle(document.documentElement);
  function cssColour(name) { return (css.getPropertyValue(name) || "").trim(); }
  var themed = [1, 2, 3, 4, 5, 6, 7, 8].map(function (n) { return cssColour("--chart-" + n); }).filter(Boolean);
  if (!themed.length) { themed = [cssColour("--brand"), cssColour("--accent")].filter(Boolean); }
  var COLOURS = themed.concat(FALLBACK.filter(function (c) { return themed.indexOf(c) < 0; }));

  function yuan(fen) {  /* integer fen -> "12.34", no floating point on money */
    var sign = fen < 0 ? "-" : "";
    var v = Math.abs(fen);
    var cents = v % 100;
    return sign + Math.floor(v / 100) + "." + (cents < 10 ? "0" : "") + cents;
  }
  function money(context) { return context.dataset.label + ": " + labels.yuan + yuan(context.raw); }

  var months = document.getElementById("bills-months");
  if (months) {
    new Chart(months, {
      type: "bar",
      data: {
        labels: data.months,
        datasets: data.series.map(function (s, i) {
          return { label: s.name, data: s.fen, backgroundColor: COLOURS[i % COLOURS.length], stack: "bill" };
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: function (v) { return labels.yuan + yuan(v); } } } },
        plugins: { tooltip: { callbacks: {
          label: money,
          footer: function (items) { return labels.total + ": " + labels.yuan + yuan(data.totals[items[0].dataIndex]); }
        } } }
      }
    });
  }

  var breakdown = document.getElementById("bills-breakdown");
  var at = data.months.indexOf(data.month);
  if (breakdown && at >= 0) {
    var parts = data.series.filter(function (s) { return s.fen[at] > 0; });
    new Chart(breakdown, {
      type: "doughnut",
      data: {
        labels: parts.map(function (s) { return s.name; }),
        datasets: [{ label: data.month, data: parts.map(function (s) { return s.fen[at]; }),
                     backgroundColor: parts.map(function (s) { return COLOURS[data.series.indexOf(s) % COLOURS.length]; }) }]
      },
      options: { maintainAspectRatio: false, animation: false,
                 plugins: { tooltip: { callbacks: { label: function (c) { return c.label + ": " + labels.yuan + yuan(c.raw); } } } } }
    });
  }
}());
