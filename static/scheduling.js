/* Scheduling aids in the meeting form: when the date or times change, ask the server what is worth
   a warning (a holiday, a weekend, members with another meeting then) and show it above the Save
   button. It only reads the form; the same warnings are flashed after saving without JavaScript. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-schedule-check]");
  var region = document.getElementById("schedule-warnings");
  if (!form || !region || !window.fetch || !window.URLSearchParams) return;
  var fields = ["precision", "day", "start_time", "end_time"];
  var latest = 0;
  var timer = null;

  function show(messages) {
    region.textContent = "";
    if (!messages.length) return;
    var heading = document.createElement("p");
    heading.textContent = region.getAttribute("data-heading");
    var list = document.createElement("ul");
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    region.appendChild(heading);
    region.appendChild(list);
  }

  function check() {
    var data = new FormData(form);
    var query = new URLSearchParams();
    fields.forEach(function (name) {
      var value = data.get(name);
      if (value) query.set(name, value);
    });
    if (form.getAttribute("data-meeting")) query.set("meeting", form.getAttribute("data-meeting"));
    var ticket = ++latest;
    fetch(form.getAttribute("data-schedule-check") + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : { warnings: [] }; })
      .then(function (body) {
        // Only the answer to the latest question counts: an earlier one may arrive last.
        if (ticket === latest) show(body.warnings.map(function (w) { return w.message; }));
      })
      .catch(function () { /* the warnings come again after saving */ });
  }

  function changed(event) {
    if (fields.indexOf(event.target.name) === -1) return;
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
})();
