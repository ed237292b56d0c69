// Sector graph (an SVG drawn by the server): pointing at a type, or focusing it with the keyboard, brings out
// its links and fades the rest. Every node and edge is a link to its units, with or without this script.
(function () {
  "use strict";
  var svgs = document.querySelectorAll(".sector-svg");
  Array.prototype.forEach.call(svgs, function (svg) {
    function focus(id) {
      svg.classList.add("sector-dim");
      Array.prototype.forEach.call(svg.querySelectorAll(".sector-edge"), function (e) {
        var on = e.getAttribute("data-s") === id || e.getAttribute("data-t") === id;
        e.classList.toggle("sector-hot", on);
      });
      Array.prototype.forEach.call(svg.querySelectorAll(".sector-node"), function (n) {
        n.classList.toggle("sector-hot", n.getAttribute("data-id") === id);
      });
    }
    function clear() {
      svg.classList.remove("sector-dim");
      Array.prototype.forEach.call(svg.querySelectorAll(".sector-hot"), function (el) {
        el.classList.remove("sector-hot");
      });
    }
    Array.prototype.forEach.call(svg.querySelectorAll(".sector-node"), function (n) {
      var id = n.getAttribute("data-id");
      n.addEventListener("mouseenter", function () { focus(id); });
      n.addEventListener("focus", function () { focus(id); });
      n.addEventListener("mouseleave", clear);
      n.addEventListener("blur", clear);
    });
  });
})();
