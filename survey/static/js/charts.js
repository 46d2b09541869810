// Draws every chart on a results page from its data-figure attribute (a plotly figure
// built on the server). Pages work without it: each chart has a table of the same figures.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var config = { displayModeBar: false, responsive: true, displaylogo: false };
  var charts = document.querySelectorAll("[data-figure]");
  Array.prototype.forEach.call(charts, function (element) {
    var figure;
    try {
      figure = JSON.parse(element.getAttribute("data-figure"));
    } catch (error) {
      return; // leave the fallback text; the table is still there
    }
    var fallback = element.querySelector(".chart__fallback");
    if (fallback) { fallback.parentNode.removeChild(fallback); }
    window.Plotly.newPlot(element, figure.data, figure.layout || {}, config);
    // Plotly's SVG is decoration here: the container's role="img" and aria-label speak for it.
    Array.prototype.forEach.call(element.querySelectorAll("svg"), function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    });
  });
})();
