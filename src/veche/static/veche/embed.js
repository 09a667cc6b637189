/* Veche embed: <script src="https://veche.example/embed.js" data-veche-uri="/post/42" async>
   renders the discussion in <div id="veche-thread"> (an iframe served by Veche) and fills
   elements with data-veche-count="/post/42" with comment counts, in one request. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src).origin;
  var opts = script.dataset;
  var here = window.location.origin;

  function frame() {
    var box = document.querySelector(opts.vecheContainer || "#veche-thread");
    if (!box || box.querySelector("iframe[data-veche]")) return;
    var query = new URLSearchParams({
      uri: opts.vecheUri || window.location.pathname,
      origin: here,
      title: opts.vecheTitle || document.title
    });
    var iframe = document.createElement("iframe");
    iframe.src = base + "/embed/thread?" + query;
    iframe.title = opts.vecheLabel || "Comments";
    iframe.setAttribute("data-veche", "");
    iframe.style.width = "100%";
    iframe.style.border = "0";
    iframe.style.height = "360px";
    iframe.style.colorScheme = "normal";
    box.appendChild(iframe);
    window.addEventListener("message", function (event) {
      if (event.origin !== base || event.source !== iframe.contentWindow) return;
      var msg = event.data || {};
      if (msg.type === "veche:height" && msg.height > 0) {
        iframe.style.height = Math.ceil(msg.height) + "px";
      } else if (msg.type === "veche:ready" && opts.vecheSso) {
        iframe.contentWindow.postMessage({ type: "veche:sso", token: opts.vecheSso }, base);
      }
    });
  }

  function counts() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-veche-count]"));
    var uris = [];
    els.forEach(function (el) {
      var uri = el.getAttribute("data-veche-count");
      if (uris.indexOf(uri) < 0) uris.push(uri);
    });
    for (var i = 0; i < uris.length; i += 100) {
      fetch(base + "/api/v1/threads/counts", {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ origin: here, uris: uris.slice(i, i + 100) })
      })
        .then(function (r) { return r.ok ? r.json() : { counts: {} }; })
        .then(function (data) {
          els.forEach(function (el) {
            var n = data.counts[el.getAttribute("data-veche-count")];
            if (n !== undefined) el.textContent = n + (n === 1 ? " comment" : " comments");
          });
        })
        .catch(function () {});
    }
  }

  function start() { frame(); counts(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
