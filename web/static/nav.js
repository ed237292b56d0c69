// Phone menu: the nav folds behind a button below 700 px.
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var header = document.querySelector("header.top");
  if (!button || !header) return;
  button.addEventListener("click", function () {
    var open = header.classList.toggle("nav-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
