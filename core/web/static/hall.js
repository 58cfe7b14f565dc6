/* Page behaviour that would otherwise be inline handlers (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  /* <select data-autosubmit>: choosing an option submits its form (the language switch). */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  /* <details data-collapse-on-phone>: a filter bar is served open (it works without script); on a phone it folds
     away behind its summary unless a filter is in use (data-active) or has an error, so the rows come first. */
  if (window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (box) {
      if (!box.hasAttribute("data-active") && !box.querySelector(".has-error")) { box.open = false; }
    });
  }
  /* <details data-menu-group>: a menu heading opens its links (without script too); with script, one group is open
     at a time, and a click elsewhere or Escape closes it. */
  var groups = document.querySelectorAll("details[data-menu-group]");
  function closeGroups(except) {
    groups.forEach(function (g) { if (g !== except) { g.open = false; } });
  }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () { if (group.open) { closeGroups(group); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-menu-group]")) { closeGroups(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeGroups(null); }
  });
}());
