// Kervan CRM: the searchable pickers: firms (companies/forms/widgets.py FirmPicker) and
// employees (core/forms.py EmployeePicker, EmployeeMultiPicker).
// The search box asks its endpoint through htmx; this file sends the typed text as ?q=, moves
// through the suggestions with the arrow keys, and on Enter or a click puts the choice into
// the form and fires "change" on it, so that htmx refills listening to the field keep working:
// a firm's pk goes into the hidden input; an employee becomes the chosen option of the
// picker's <select>, or one more ticked checkbox of a multiple picker. No inline scripts (CSP).
(function () {
  "use strict";

  function parts(el) {
    var root = el && el.closest ? el.closest("[data-picker]") : null;
    if (!root) { return null; }
    return {
      root: root,
      value: root.querySelector("[data-picker-value]"),
      search: root.querySelector("[data-picker-search]"),
      results: root.querySelector("[data-picker-results]"),
      selected: root.querySelector("[data-picker-selected]"),
      clear: root.querySelector("[data-picker-clear]"),
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.results.querySelectorAll("[data-picker-option]"));
  }

  function isOpen(p) {
    return p.results.classList.contains("show");
  }

  function close(p) {
    p.results.classList.remove("show");
    p.search.setAttribute("aria-expanded", "false");
    p.search.removeAttribute("aria-activedescendant");
  }

  function open(p) {
    var hasItems = p.results.children.length > 0;
    p.results.classList.toggle("show", hasItems);
    p.search.setAttribute("aria-expanded", hasItems ? "true" : "false");
  }

  function activate(p, index) {
    var items = options(p);
    if (!items.length) { return; }
    index = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      var on = i === index;
      item.classList.toggle("active", on);
      item.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        p.search.setAttribute("aria-activedescendant", item.id);
        item.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function activeIndex(p) {
    return options(p).findIndex(function (item) { return item.classList.contains("active"); });
  }

  function showSelected(p, name, code) {
    p.selected.textContent = "";
    if (name) {
      var label = document.createElement("bdi");
      label.dataset.pickerName = "";
      label.textContent = name;
      var small = document.createElement("code");
      small.className = "ms-1";
      small.dataset.pickerCode = "";
      small.textContent = code || "";
      p.selected.append(label, " ", small);
    } else {
      var empty = document.createElement("span");
      empty.className = "text-body-secondary";
      empty.textContent = p.selected.dataset.emptyLabel || "";
      p.selected.append(empty);
    }
    if (p.clear) { p.clear.hidden = !name; }
  }

  function setValue(p, value, name, code) {
    var changed = p.value.value !== value;
    p.value.value = value;
    showSelected(p, name, code);
    if (changed) {
      p.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // A single employee picker: the <select> keeps the empty and fixed options plus the choice.
  function chooseOption(select, value, name) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
    Array.prototype.slice.call(select.options).forEach(function (o) {
      if (o !== option && o.value !== "" && !("pickerFixed" in o.dataset)) { o.remove(); }
    });
    if (!option) {
      option = new Option(name, value);
      select.add(option);
    }
    var changed = select.value !== value;
    option.selected = true;
    if (changed) { select.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  // A multiple employee picker: tick the employee's checkbox, adding it when it is new.
  function chooseCheckbox(p, value, name) {
    var list = p.root.querySelector("[data-picker-chosen]");
    var box = Array.prototype.find.call(
      list.querySelectorAll("input[type=checkbox]"), function (b) { return b.value === value; }
    );
    if (!box) {
      var none = list.querySelector("[data-picker-none]");
      if (none) { none.remove(); }
      var wrap = document.createElement("div");
      wrap.className = "form-check form-check-inline mb-0 me-0";
      box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.name = list.dataset.name;
      box.value = value;
      box.id = list.dataset.idPrefix + "_" + list.querySelectorAll("input[type=checkbox]").length;
      box.dataset.pickerValue = "";
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = box.id;
      var text = document.createElement("bdi");
      text.textContent = name;
      label.append(text);
      wrap.append(box, label);
      list.append(wrap);
    }
    if (!box.checked) {
      box.checked = true;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function choose(p, item) {
    if (p.root.dataset.picker === "employee") {
      if ("pickerMultiple" in p.root.dataset) {
        chooseCheckbox(p, item.dataset.value, item.dataset.name);
      } else {
        chooseOption(p.value, item.dataset.value, item.dataset.name);
      }
    } else {
      setValue(p, item.dataset.value, item.dataset.name, item.dataset.code);
    }
    p.search.value = "";
    p.results.textContent = "";
    close(p);
    p.search.focus();
  }

  // The typed text goes out as ?q= (the box has no name: it is never posted with the form),
  // plus the type of the firm being placed when the picker looks for parents.
  document.addEventListener("htmx:configRequest", function (event) {
    var search = event.detail.elt;
    if (!search.matches || !search.matches("[data-picker-search]")) { return; }
    event.detail.parameters.q = search.value;
    var source = search.dataset.pickerChildFrom;
    var form = search.form || search.closest("form");
    if (source && form && form.elements[source]) {
      event.detail.parameters.child = form.elements[source].value;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target.matches || !target.matches("[data-picker-results]")) { return; }
    var p = parts(target);
    options(p).forEach(function (item, i) { item.id = target.id + "-" + i; });
    if (document.activeElement === p.search && p.search.value.trim()) {
      open(p);
    } else {
      close(p);
    }
  });

  document.addEventListener("keydown", function (event) {
    var search = event.target;
    if (!search.matches || !search.matches("[data-picker-search]")) { return; }
    var p = parts(search);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen(p)) { open(p); }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var current = activeIndex(p);
      activate(p, current < 0 ? (step > 0 ? 0 : -1) : current + step);
    } else if (event.key === "Enter") {
      // Never submit the surrounding form from the search box.
      event.preventDefault();
      var items = options(p);
      var index = activeIndex(p);
      if (isOpen(p) && items.length) { choose(p, items[index < 0 ? 0 : index]); }
    } else if (event.key === "Escape" && isOpen(p)) {
      event.preventDefault();
      close(p);
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("[data-picker-option]");
    if (item) {
      event.preventDefault();
      choose(parts(item), item);
      return;
    }
    var clear = event.target.closest && event.target.closest("[data-picker-clear]");
    if (clear) {
      var p = parts(clear);
      setValue(p, "", "", "");
      p.search.focus();
    }
  });

  // Leaving the picker closes its suggestions.
  document.addEventListener("focusout", function (event) {
    var p = parts(event.target);
    if (!p) { return; }
    if (!event.relatedTarget || !p.root.contains(event.relatedTarget)) { close(p); }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-picker-search]")) {
      var p = parts(event.target);
      if (p.search.value.trim()) { open(p); }
    }
  });
})();
