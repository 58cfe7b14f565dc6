// A self-service terminal resets itself after a quiet spell: the signed-in customer is signed out (the page's own
// log-out form, with its CSRF token) or, for a visitor, the terminal goes back to the home page. The wait is the
// theme's idle_seconds; a touch, a key or scrolling starts it again.
(function () {
  var wait = parseInt(getComputedStyle(document.documentElement).getPropertyValue("--idle-seconds") || "0", 10);
  if (!wait || !document.body.classList.contains("audience-customer")) return;
  var home = (document.querySelector("a.brand") || {}).href;
  var timer;
  function reset() {
    var logout = document.querySelector(".header-tools form.inline");
    if (logout) logout.submit();
    else if (home && location.href !== home) location.href = home;
  }
  function again() {
    clearTimeout(timer);
    timer = setTimeout(reset, wait * 1000);
  }
  ["click", "touchstart", "keydown", "scroll", "pointermove"].forEach(function (name) {
    document.addEventListener(name, again, { passive: true });
  });
  again();
})();
