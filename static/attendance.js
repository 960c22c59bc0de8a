/* The attendance form's fill-in buttons, done in the page: "mark everyone not yet set as present"
   and "set the selected members to …" change the rows' selects without a round trip, and say so
   in the status line. Without JavaScript the same buttons ask the server, which fills the rows in
   the same way and shows the form again. Neither saves: the Save button does. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-attendance]");
  var status = document.getElementById("fill-status");
  var bulk = document.getElementById("bulk-presence");
  if (!form || !status || !bulk) return;

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll("fieldset.attendance-row"));
  }

  function presence(row) {
    return row.querySelector("select[name$='-presence']");
  }

  function set(chosen, value) {
    var changed = 0;
    chosen.forEach(function (row) {
      var select = presence(row);
      if (select && select.value !== value) {
        select.value = value;
        changed += 1;
      }
    });
    status.textContent = form.getAttribute("data-filled").replace("{num}", String(changed));
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name='action']");
    if (!button) return;
    if (button.value === "rest") {
      event.preventDefault();
      set(rows().filter(function (row) { return presence(row) && presence(row).value === ""; }), "present");
    } else if (button.value === "bulk") {
      var ticked = rows().filter(function (row) {
        var box = row.querySelector("input[name='selected']");
        return box && box.checked;
      });
      if (!ticked.length) return; // the server answers with what to do
      event.preventDefault();
      set(ticked, bulk.value);
    }
  });
})();
