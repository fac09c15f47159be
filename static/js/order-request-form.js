// Order requests. Designer: move a field up or down (the position numbers follow) and show
// the choices box only for choice fields; adding a row is app.js's formset behaviour.
// Portal: a sent form disables its button, so a double click sends once (the server also
// refuses the repeat). No inline scripts (CSP).
(function () {
  "use strict";

  function rows(container) {
    return Array.prototype.filter.call(container.children, function (row) {
      return row.matches("[data-formset-row]");
    });
  }

  function renumber(container) {
    rows(container).forEach(function (row, index) {
      var order = row.querySelector("input[name$='-ORDER']");
      if (order) { order.value = String(index + 1); }
    });
  }

  function showChoices(row) {
    var kind = row.querySelector("select[name$='-kind']");
    var box = row.querySelector("[data-field-choices]");
    if (kind && box) { box.hidden = kind.value !== "choice"; }
  }

  function refreshAll() {
    document.querySelectorAll("[data-request-field]").forEach(showChoices);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-field-move]");
    if (button) {
      var row = button.closest("[data-formset-row]");
      var container = row.parentElement;
      if (button.dataset.fieldMove === "up" && row.previousElementSibling) {
        container.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.fieldMove === "down" && row.nextElementSibling) {
        container.insertBefore(row.nextElementSibling, row);
      }
      renumber(container);
      button.focus();
      return;
    }
    if (event.target.closest("[data-formset-add]")) { window.setTimeout(refreshAll, 0); }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[name$='-kind']")) {
      var row = event.target.closest("[data-request-field]");
      if (row) { showChoices(row); }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-submit-once]")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type='submit']").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  document.addEventListener("DOMContentLoaded", refreshAll);
})();
