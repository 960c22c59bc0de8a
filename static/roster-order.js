/* Drag a row of the roster page onto another to move it there. It only fills in the row's own
   "Move to place" form (place and group of the row dropped on) and sends it, so the server does
   exactly what the keyboard controls do; without JavaScript those controls are all there is. */
(function () {
  "use strict";
  var body = document.querySelector("tbody[data-roster-order]");
  if (!body) return;
  var dragged = null;

  function formOf(row) {
    return row && row.querySelector("form.place-form");
  }

  Array.prototype.forEach.call(body.querySelectorAll("tr"), function (row) {
    if (!formOf(row)) return;
    row.draggable = true;
    row.classList.add("draggable");
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id);
    });
    row.addEventListener("dragend", function () {
      dragged = null;
      row.classList.remove("drop-target");
    });
    row.addEventListener("dragover", function (event) {
      if (dragged && dragged !== row) {
        event.preventDefault();
        row.classList.add("drop-target");
      }
    });
    row.addEventListener("dragleave", function () {
      row.classList.remove("drop-target");
    });
    row.addEventListener("drop", function (event) {
      event.preventDefault();
      row.classList.remove("drop-target");
      if (!dragged || dragged === row) return;
      var form = formOf(dragged);
      var target = formOf(row);
      form.querySelector("input[name=place]").value = target.querySelector("input[name=place]").value;
      var group = form.querySelector("select[name=group_id]");
      var targetGroup = target.querySelector("select[name=group_id]");
      if (group && targetGroup) group.value = targetGroup.value;
      form.submit();
    });
  });
})();
