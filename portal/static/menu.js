// Folds the main menu behind a button on narrow screens; without this script the menu stays open.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var button = document.querySelector("button.menu-toggle");
  var nav = document.getElementById("main-menu");
  if (!button || !nav) { return; }
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
