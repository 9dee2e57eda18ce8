// motcua: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // "/" focuses the page's search box, as in most work tools.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.target.closest("input, textarea, select")) return;
    var box = document.querySelector("[data-search]");
    if (box) { event.preventDefault(); box.focus(); }
  });
  // Buttons with data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
