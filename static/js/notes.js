// Meeting-note form: "other" as the contact met reveals the new-contact fields; the outcome
// "appointment" reveals the appointment form (seed 000). No inline scripts (CSP).
(function () {
  "use strict";

  function sync(form) {
    var contact = form.querySelector("[data-new-contact-toggle]");
    var newContact = form.querySelector("[data-new-contact-form]");
    if (contact && newContact) {
      newContact.hidden = contact.value !== contact.dataset.newContactToggle;
    }
    var outcome = form.querySelector("[data-appointment-outcome]");
    var appointment = form.querySelector("[data-appointment-form]");
    if (outcome && appointment) {
      appointment.hidden = outcome.value !== outcome.dataset.appointmentOutcome;
    }
  }

  function syncAll() {
    document.querySelectorAll("[data-note-form]").forEach(sync);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-note-form]");
    if (form) { sync(form); }
  });
  // The firm's contacts arrive through htmx: the choice starts empty again.
  document.addEventListener("htmx:afterSwap", syncAll);
  document.addEventListener("DOMContentLoaded", syncAll);
})();
