// Kervan CRM: behaviour shared by every page. No inline scripts anywhere (CSP).
(function () {
  "use strict";

  // Colours come from data attributes: inline style attributes are blocked by the CSP.
  function paintSwatches(root) {
    root.querySelectorAll("[data-colour]").forEach(function (el) {
      if (/^#[0-9a-fA-F]{6}$/.test(el.dataset.colour)) {
        el.style.setProperty("--kv-colour", el.dataset.colour);
      }
    });
  }

  // Buttons that need a confirmation carry data-confirm with the question.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { paintSwatches(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintSwatches(event.target); });
})();
