/* Row editors without a round trip: "Add a row" copies the blank row kept in a <template> (its
   field names hold __index__, made the next free index), and in an editor marked data-reorder,
   Up and Down move a row among the others and renumber the rows' Order fields to match. Without
   JavaScript the page offers blank rows and Order numbers, and saving does the same. */
(function () {
  "use strict";
  var ATTRIBUTES = ["id", "name", "for", "aria-describedby"];

  function rowsOf(container) {
    return Array.prototype.filter.call(container.children, function (el) { return el.hasAttribute("data-row"); });
  }

  function renumber(container) {
    var reorder = container.hasAttribute("data-reorder");
    rowsOf(container).forEach(function (row, i) {
      var number = row.querySelector("[data-row-number]");
      if (number) number.textContent = String(i + 1);
      var position = reorder && row.querySelector("input[name$='-position']");
      if (position) position.value = String(i + 1);
    });
  }

  function addRow(button) {
    var template = document.getElementById(button.getAttribute("data-add-row"));
    var container = document.getElementById(button.getAttribute("data-rows"));
    var index = parseInt(button.getAttribute("data-next-index"), 10);
    var copy = template.content.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("*"), function (el) {
      ATTRIBUTES.forEach(function (name) {
        var value = el.getAttribute(name);
        if (value && value.indexOf("__index__") !== -1) el.setAttribute(name, value.split("__index__").join(String(index)));
      });
    });
    var row = copy.querySelector("[data-row]");
    // The legend was printed with 99999 for its number: say the row's place instead.
    var legend = row.querySelector("legend");
    if (legend && !legend.querySelector("[data-row-number]")) {
      legend.textContent = legend.textContent.replace("99999", String(rowsOf(container).length + 1));
    }
    showControls(row);
    container.appendChild(copy);
    button.setAttribute("data-next-index", String(index + 1));
    renumber(container);
    var first = row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
  }

  function move(button) {
    var row = button.closest("[data-row]");
    var container = row.parentNode;
    var up = button.getAttribute("data-move") === "up";
    var rows = rowsOf(container);
    var other = rows[rows.indexOf(row) + (up ? -1 : 1)];
    if (!other) return;
    container.insertBefore(row, up ? other : other.nextSibling);
    renumber(container);
    button.focus(); // moving the row took the focus away; the user may press again
    var status = document.getElementById(container.getAttribute("data-status"));
    if (status) status.textContent = status.getAttribute("data-message").replace("{n}", String(rows.indexOf(other) + 1));
  }

  function showControls(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-move-buttons], [data-add-row-wrap]"), function (el) {
      el.hidden = false;
    });
  }

  showControls(document);
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button[data-add-row], button[data-move]") : null;
    if (!target) return;
    event.preventDefault();
    if (target.hasAttribute("data-add-row")) addRow(target);
    else move(target);
  });
})();
