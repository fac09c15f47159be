// Kervan CRM: order lines. Choosing a product fills the row's unit with the product's unit and
// shows its sale price as the price field's placeholder (an empty price takes it on saving).
// Adding rows is app.js's formset behaviour. Data comes from json_script; no inline scripts.
(function () {
  "use strict";

  function hints() {
    var el = document.getElementById("order-product-hints");
    return el ? JSON.parse(el.textContent) : {};
  }

  function fill(select) {
    var row = select.closest("[data-formset-row]");
    if (!row) { return; }
    var hint = hints()[select.value];
    var unit = row.querySelector("select[data-line-unit]");
    var price = row.querySelector("input[data-line-price]");
    if (unit && hint && !unit.disabled) { unit.value = hint.unit; }
    if (price) { price.placeholder = hint ? hint.price : ""; }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-line-product]")) {
      fill(event.target);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-line-product]").forEach(function (select) {
      var row = select.closest("[data-formset-row]");
      var price = row && row.querySelector("input[data-line-price]");
      var hint = hints()[select.value];
      if (price && hint) { price.placeholder = hint.price; }
    });
  });
})();
