// Kervan CRM: the agenda's calendars (FullCalendar 7). Configuration comes from the page's
// json_script (#agenda-config); no inline scripts anywhere (CSP).
(function () {
  "use strict";

  var VIEWS = ["dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek"];

  function slotDuration(minutes) {
    var h = Math.floor(minutes / 60);
    var m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m + ":00";
  }

  function hasLocale(code) {
    var locales = (window.FullCalendar && FullCalendar.globalLocales) || [];
    return locales.some(function (locale) { return locale.code === code; });
  }

  function filterParams(form) {
    var params = new URLSearchParams();
    if (!form) { return params; }
    new FormData(form).forEach(function (value, key) {
      if (value) { params.append(key, value); }
    });
    return params;
  }

  // Keep the filters, view, date and slot in the address so that "next" comes back here.
  function rememberState(form, calendar, slot) {
    var params = filterParams(form);
    if (calendar) {
      params.set("view", calendar.view.type);
      params.set("date", calendar.getDate().toISOString().slice(0, 10));
    }
    if (slot) { params.set("slot", String(slot)); }
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }

  function showError(message) {
    var box = document.getElementById("calendar-error");
    if (!box) { return; }
    box.textContent = message;
    box.classList.toggle("d-none", !message);
  }

  function showNotice(message) {
    var box = document.getElementById("calendar-notice");
    if (!box) { return; }
    box.textContent = message;
    box.classList.toggle("d-none", !message);
  }

  function openPopup(url) {
    var modalEl = document.getElementById("activity-popup");
    var target = document.getElementById("activity-popup-content");
    if (!modalEl || !target || !window.htmx) { return; }
    window.htmx.ajax("GET", url, { target: target, swap: "innerHTML" }).then(function () {
      window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
    });
  }

  function postMove(el, config, info, confirmed) {
    var event = info.event;
    var body = new URLSearchParams();
    body.set("start", event.startStr);
    if (event.endStr) { body.set("end", event.endStr); }
    body.set("allDay", event.allDay ? "1" : "0");
    if (confirmed) { body.set("confirm", "1"); }
    fetch(event.extendedProps.move, {
      method: "POST",
      headers: { "X-CSRFToken": el.dataset.csrf, "X-Requested-With": "fetch" },
      body: body,
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: {} }; });
    }).then(function (result) {
      if (result.status === 200) {
        showError("");
        return;
      }
      if (result.status === 409) {
        var question = config.text.clash + "\n" + (result.data.clashes || []).join("\n") +
          "\n\n" + config.text.bookAnyway;
        if (window.confirm(question)) {
          postMove(el, config, info, true);
        } else {
          info.revert();
        }
        return;
      }
      info.revert();
      showError(result.data.error || config.text.failed);
    }, function () {
      info.revert();
      showError(config.text.failed);
    });
  }

  function fetchEvents(config, form) {
    return function (range, success, failure) {
      var params = filterParams(form);
      params.set("start", range.startStr);
      params.set("end", range.endStr);
      if (config.mine) { params.set("mine", "1"); }
      var truncated = false;
      fetch(config.feed + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          truncated = response.headers.has("X-Kervan-Truncated");
          return response.json();
        })
        .then(function (events) {
          showError("");
          showNotice(truncated ? config.text.truncated : "");
          success(events);
        },
          function (error) { showError(config.text.loadFailed); failure(error); });
    };
  }

  function selectToCreate(config) {
    return function (info) {
      var params = new URLSearchParams();
      params.set("start", info.startStr);
      params.set("end", info.endStr);
      params.set("all_day", info.allDay ? "1" : "0");
      params.set("next", window.location.pathname + window.location.search);
      window.location.assign(config.createUrl + "?" + params.toString());
    };
  }

  function setUp(el) {
    var config = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var form = document.getElementById("calendar-filters");
    var slot = config.slotMinutes;
    var options = {
      headerToolbar: {
        start: "prev,next today",
        center: "title",
        end: VIEWS.join(","),
      },
      initialView: VIEWS.indexOf(config.initialView) >= 0 ? config.initialView : "timeGridWeek",
      direction: el.dataset.direction === "rtl" ? "rtl" : "ltr",
      timeZone: config.timeZone || "local",
      slotDuration: slotDuration(slot),
      nowIndicator: true,
      editable: true,
      selectable: Boolean(config.createUrl),
      selectMirror: true,
      dayMaxEvents: true,
      events: fetchEvents(config, form),
      eventClick: function (info) {
        info.jsEvent.preventDefault();
        openPopup(info.event.extendedProps.popup);
      },
      eventDidMount: function (info) {
        info.el.dataset.activity = info.event.id;
        info.el.dataset.status = info.event.extendedProps.status;
        info.el.title = info.event.title;
      },
      eventDrop: function (info) { postMove(el, config, info, false); },
      eventResize: function (info) { postMove(el, config, info, false); },
      datesSet: function () { if (calendar) { rememberState(form, calendar, slot); } },
    };
    if (config.initialDate) { options.initialDate = config.initialDate; }
    if (config.locale && config.locale !== "en" && hasLocale(config.locale)) {
      options.locale = config.locale;
    }
    if (config.createUrl) { options.select = selectToCreate(config); }
    var calendar = new FullCalendar.Calendar(el, options);
    calendar.render();
    el.kvCalendar = calendar;

    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        calendar.refetchEvents();
        rememberState(form, calendar, slot);
      });
      // The firm filter is the searchable picker: its hidden input (name "firm") is what the
      // form sends, and choosing a firm fires "change" on it; its search box has no name and
      // its own "change" (typing, then leaving the box) chooses nothing.
      form.addEventListener("change", function (event) {
        if (event.target.matches && event.target.matches("[data-picker-search]")) { return; }
        calendar.refetchEvents();
        rememberState(form, calendar, slot);
      });
    }
    document.querySelectorAll("#slot-switcher [data-slot]").forEach(function (button) {
      button.addEventListener("click", function () {
        slot = parseInt(button.dataset.slot, 10);
        calendar.setOption("slotDuration", slotDuration(slot));
        document.querySelectorAll("#slot-switcher [data-slot]").forEach(function (other) {
          other.classList.toggle("active", other === button);
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        rememberState(form, calendar, slot);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("agenda-calendar");
    if (el && window.FullCalendar) { setUp(el); }
  });
})();
