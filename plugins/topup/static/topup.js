/* Top-up pages, with no inline script (the CSP forbids it):
   - typing another amount ticks "Other amount", so the typed amount is what is paid;
   - the receipt's Print button (hidden without script) prints the page. */
(function () {
  "use strict";
  var custom = document.getElementById("f-custom_amount");
  var other = document.querySelector('input[name="amount"][value="custom"]');
  if (custom && other) {
    custom.addEventListener("input", function () { if (custom.value) { other.checked = true; } });
    custom.addEventListener("focus", function () { other.checked = true; });
  }
  document.querySelectorAll(".print-receipt").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
