/*
 * Copy buttons of the publicity page: each button with data-copy="<id of a textarea>" is
 * shown only where the clipboard can be used; the text stays selectable without them.
 * The words to announce come from the button (data-copied, data-copy-by-hand), translated
 * by the server, and go to the .copy-status live region beside it.
 */
(function () {
  "use strict";

  function enable(button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var area = document.getElementById(button.dataset.copy);
      var status = button.parentElement.querySelector(".copy-status");
      navigator.clipboard.writeText(area.value).then(function () {
        status.textContent = button.dataset.copied;
      }, function () {
        area.select();
        status.textContent = button.dataset.copyByHand;
      });
    });
  }

  document.querySelectorAll("[data-copy]").forEach(enable);
})();
