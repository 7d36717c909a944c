/*
 * Counts a brief's characters as the user types (tags and spaces left out), after a pause so
 * that screen readers are not interrupted at each key; the server counts again on save.
 *
 * The #body-length status names the fields (data-body, data-kind) and carries the server's
 * translated sentences (data-counted with %(n)s, data-too-long) and the news limit
 * (data-hint-above).
 */
(function () {
  "use strict";

  var out = document.getElementById("body-length");
  if (!out) {
    return;
  }
  var body = document.getElementById(out.dataset.body);
  var kind = document.getElementById(out.dataset.kind);
  if (!body) {
    return;
  }
  var timer = null;

  function render() {
    var n = body.value.replace(/<[^>]*>/g, "").replace(/\s+/g, "").length;
    var text = out.dataset.counted.replace("%(n)s", n);
    if (kind && kind.value === "news" && n > Number(out.dataset.hintAbove)) {
      text += " " + out.dataset.tooLong;
    }
    out.textContent = text;
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 800);
  });
  if (kind) {
    kind.addEventListener("change", render);
  }
})();
