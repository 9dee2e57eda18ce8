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
// Dossier screens.
(function () {
  "use strict";
  // j / k move between the rows of a dossier list (focus on the row's link; Enter opens it).
  document.addEventListener("keydown", function (event) {
    if ((event.key !== "j" && event.key !== "k") || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-rows] [data-row-link]"));
    if (!links.length) return;
    var index = links.indexOf(document.activeElement);
    if (index === -1) index = event.key === "j" ? 0 : links.length - 1;
    else index = Math.max(0, Math.min(links.length - 1, index + (event.key === "j" ? 1 : -1)));
    links[index].focus();
    event.preventDefault();
  });
  // An error summary takes the focus when the page opens, so it is read first (GOV.UK pattern);
  // its links move the focus to the field they name.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var details = field.closest("details");
    if (details) details.open = true;
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
  // htmx leaves 4xx answers unswapped by default; ours carry the explanation to show in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422 || status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
// A form marked data-submit-once cannot be sent twice by a double click (a counter intake would
// otherwise create two dossiers); it runs after the data-confirm question above.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-submit-once")) return;
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
    });
  });
  // Coming back with the browser's Back button shows the page as it was left: usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("disabled");
      });
    });
  });
})();
