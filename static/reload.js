/* A page that waits for something a worker prepares (a PDF): reload it after the seconds its
   data-retry says, until the server answers with the thing itself. */
(function () {
  "use strict";
  var waiting = document.querySelector("[data-retry]");
  if (!waiting) return;
  var seconds = parseFloat(waiting.getAttribute("data-retry")) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
