// Draw every Vega-Lite chart on the page with the locally served vega-embed bundle.
(function () {
  function draw() {
    if (typeof window.vegaEmbed !== "function") { return; }
    document.querySelectorAll(".vega[data-spec]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      el.dataset.drawn = "1";
      var spec = JSON.parse(el.dataset.spec);
      window.vegaEmbed(el, spec, {
        actions: false, renderer: "svg",
        // No injected <style> elements (the Content-Security-Policy allows none): app.css styles both.
        defaultStyle: false, tooltip: { disableDefaultStyle: true }
      }).then(function () {
        el.closest(".chart").classList.add("drawn");
      }).catch(function (err) { el.textContent = "Chart could not be drawn: " + err; });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("load", draw);
  document.body && document.body.addEventListener("htmx:afterSwap", draw);
})();
