/* Exploring the network picture (templates/network/index.html). The server draws the picture and
   every node is a link, so it works without this. With it, the node in focus or under the pointer
   lights up its lines and the nodes linked to it, the status line below the picture names them
   (read out by screen readers), and the arrow keys move the focus along the lines. */
(function () {
  "use strict";
  var figure = document.querySelector(".network-picture");
  if (!figure) return;
  var svg = figure.querySelector("svg");
  var status = document.getElementById("network-status");
  var links = {};  // node id: the ids of the nodes it is linked to, in the order of the lines
  var lines = {};  // node id: its lines

  Array.prototype.forEach.call(svg.querySelectorAll("line[data-ends]"), function (line) {
    var ends = line.getAttribute("data-ends").split(" ");
    ends.forEach(function (end, i) {
      (links[end] = links[end] || []).push(ends[1 - i]);
      (lines[end] = lines[end] || []).push(line);
    });
  });

  function nameOf(id) {
    var node = document.getElementById(id);
    return node ? node.getAttribute("data-name") : "";
  }

  function clear() {
    svg.classList.remove("lit-mode");
    Array.prototype.forEach.call(svg.querySelectorAll(".lit"), function (el) { el.classList.remove("lit"); });
  }

  function light(node) {
    clear();
    var id = node.id;
    svg.classList.add("lit-mode");
    node.classList.add("lit");
    (lines[id] || []).forEach(function (line) { line.classList.add("lit"); });
    (links[id] || []).forEach(function (other) { document.getElementById(other).classList.add("lit"); });
    status.textContent = figure.getAttribute("data-status")
      .replace("{name}", nameOf(id))
      .replace("{names}", (links[id] || []).map(nameOf).join("、"));
  }

  // The node the focus came from by an arrow key: the next arrow goes on from its place among
  // the linked nodes, so Right walks round them and Left comes back.
  var from = null;
  var arriving = null;

  function step(node, by) {
    var around = links[node.id] || [];
    if (!around.length) return;
    var at = around.indexOf(from);
    var next = at === -1 ? around[by > 0 ? 0 : around.length - 1] : around[(at + by + around.length) % around.length];
    from = arriving = node.id;
    document.getElementById(next).focus();
  }

  Array.prototype.forEach.call(svg.querySelectorAll("a.node"), function (node) {
    node.addEventListener("focus", function () {
      if (arriving === null) from = null;  // reached by Tab or a click, not along a line
      arriving = null;
      light(node);
    });
    node.addEventListener("mouseenter", function () { light(node); });
    node.addEventListener("keydown", function (event) {
      var by = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      if (!by) return;
      event.preventDefault();
      step(node, by);
    });
  });
  svg.addEventListener("mouseleave", clear);
  document.getElementById("network-keys").hidden = false;
})();
