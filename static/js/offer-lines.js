// Offer lines: add and remove rows, a product fills in its price, VAT rate and unit, and the
// line and offer totals follow as you type. The server works the amounts out again (rounded
// half up per line, as core.money does); these figures are only a preview. No inline scripts
// (CSP): the products come from the json_script element "offer-products".
(function () {
  "use strict";

  function products() {
    var element = document.getElementById("offer-products");
    if (!element) { return {}; }
    try { return JSON.parse(element.textContent) || {}; } catch (error) { return {}; }
  }

  // Amounts in cents (integers), so that adding up rounds like the server does.
  function number(input) {
    if (!input) { return 0; }
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : 0;
  }

  function roundHalfUp(value) {
    return Math.sign(value) * Math.round(Math.abs(value) + 1e-9);
  }

  function lineCents(row) {
    var grossCents = roundHalfUp(number(row.querySelector("[data-line-quantity]")) *
      number(row.querySelector("[data-line-unit-price]")) * 100);
    var discountCents = roundHalfUp(grossCents * number(row.querySelector("[data-line-discount-percent]")) / 100);
    var netCents = grossCents - discountCents;
    var vatCents = roundHalfUp(netCents * number(row.querySelector("[data-line-vat-rate]")) / 100);
    return { net: netCents, vat: vatCents };
  }

  function format(cents, currency) {
    var options = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
    var text = (cents / 100).toLocaleString(document.documentElement.lang || undefined, options);
    return currency ? text + " " + currency : text;
  }

  function isRemoved(row) {
    var box = row.querySelector("input[name$='-DELETE']");
    return row.hidden || (box && box.checked);
  }

  function refresh(section) {
    var form = section.closest("form");
    var currencyInput = form && form.querySelector("[name='currency']");
    var currency = currencyInput ? currencyInput.value : "";
    var net = 0;
    var vat = 0;
    section.querySelectorAll("[data-line-rows] [data-line-row]").forEach(function (row) {
      var cell = row.querySelector("[data-line-total]");
      if (isRemoved(row)) { return; }
      var amounts = lineCents(row);
      net += amounts.net;
      vat += amounts.vat;
      if (cell) { cell.textContent = format(amounts.net + amounts.vat, ""); }
    });
    var put = function (selector, cents) {
      var cell = section.querySelector(selector);
      if (cell) { cell.textContent = format(cents, currency); }
    };
    put("[data-offer-net]", net);
    put("[data-offer-vat]", vat);
    put("[data-offer-total]", net + vat);
  }

  function fillFromProduct(row, data) {
    var product = data[row.querySelector("[data-line-product]").value];
    var discount = row.querySelector("[data-line-discount-percent]");
    if (!product) {
      if (discount) { discount.readOnly = false; }
      return;
    }
    var price = row.querySelector("[data-line-unit-price]");
    var vat = row.querySelector("[data-line-vat-rate]");
    var unit = row.querySelector("[data-line-unit]");
    if (price) { price.value = product.price; }
    if (vat) { vat.value = product.vat; }
    if (unit && product.unit) { unit.value = product.unit; }
    if (discount) {
      // The server refuses a discount on such a product; say so before it does.
      discount.readOnly = !product.discount;
      if (!product.discount) { discount.value = ""; }
    }
  }

  function addRow(section) {
    var prefix = section.dataset.offerLines;
    var total = section.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = section.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var html = section.querySelector("template[data-line-template]").innerHTML
      .replace(/__prefix__/g, String(index));
    section.querySelector("[data-line-rows]").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = section.querySelectorAll("[data-line-rows] [data-line-row]");
    var select = rows[rows.length - 1].querySelector("[data-line-product]");
    if (select) { select.focus(); }
  }

  function removeRow(section, row) {
    // The row stays in the form, marked for removal, so the rows keep their numbers.
    var box = row.querySelector("input[name$='-DELETE']");
    if (box) { box.checked = true; }
    row.hidden = true;
    refresh(section);
  }

  document.addEventListener("click", function (event) {
    var section = event.target.closest && event.target.closest("[data-offer-lines]");
    if (!section) { return; }
    if (event.target.closest("[data-line-add]")) {
      addRow(section);
      refresh(section);
    } else if (event.target.closest("[data-line-remove]")) {
      removeRow(section, event.target.closest("[data-line-row]"));
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-line-product]")) {
      fillFromProduct(event.target.closest("[data-line-row]"), products());
    }
    if (event.target.name === "currency") {
      document.querySelectorAll("[data-offer-lines]").forEach(refresh);
      return;
    }
    var section = event.target.closest && event.target.closest("[data-offer-lines]");
    if (section) { refresh(section); }
  });

  document.addEventListener("input", function (event) {
    var section = event.target.closest && event.target.closest("[data-offer-lines]");
    if (section) { refresh(section); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var data = products();
    document.querySelectorAll("[data-offer-lines]").forEach(function (section) {
      section.querySelectorAll("[data-line-rows] [data-line-row]").forEach(function (row) {
        var select = row.querySelector("[data-line-product]");
        var product = select && data[select.value];
        var discount = row.querySelector("[data-line-discount-percent]");
        if (product && discount && !product.discount) { discount.readOnly = true; }
      });
      refresh(section);
    });
  });
})();
