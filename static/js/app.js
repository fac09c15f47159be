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

  // Formsets: "Add another" clones the empty form, numbered by the management form's total.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) { return; }
    var set = button.closest("[data-formset]");
    var prefix = set.dataset.formset;
    var total = set.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = set.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var html = set.querySelector("template[data-formset-template]").innerHTML
      .replace(/__prefix__/g, String(index));
    set.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  });

  // "Select all" check boxes: data-check-all names the boxes they govern.
  document.addEventListener("change", function (event) {
    var name = event.target.dataset && event.target.dataset.checkAll;
    if (!name) { return; }
    event.target.closest("form").querySelectorAll("input[name='" + name + "']").forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  document.addEventListener("DOMContentLoaded", function () { paintSwatches(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintSwatches(event.target); });
})();
