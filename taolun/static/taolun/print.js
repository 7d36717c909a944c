/*
 * Print buttons: an element with data-print is shown and prints the page; without
 * JavaScript it stays hidden and the browser's own print command does the same.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
