// Opportunities: the pipeline board's drag and drop, its keyboard alternative (the stage menu
// on each card), and the form's default probability. No inline scripts (CSP).
//
// A card dropped on a column (or moved with its menu) is moved at once and POSTed to its
// move URL; a refusal (403/400) puts it back where it was and says why.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name='csrfmiddlewaretoken']");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(message) {
    var status = document.getElementById("board-status");
    if (!status) { return; }
    status.textContent = message || status.dataset.defaultError;
    status.classList.remove("d-none");
  }

  function announce(column) {
    var region = document.getElementById("board-announce");
    if (region && column) {
      region.textContent = region.dataset.moved.replace("%(stage)s", column.dataset.stageLabel);
    }
  }

  function updateCounts(board) {
    board.querySelectorAll("[data-stage-column]").forEach(function (column) {
      var badge = column.closest(".card").querySelector("[data-stage-count]");
      if (badge && badge.dataset.initial === undefined) {
        badge.dataset.initial = badge.textContent;
        badge.dataset.shown = String(column.querySelectorAll("[data-card]").length);
      }
      if (badge) {
        var shown = column.querySelectorAll("[data-card]").length;
        var total = parseInt(badge.dataset.initial, 10) + shown - parseInt(badge.dataset.shown, 10);
        badge.textContent = String(total);
      }
    });
  }

  function syncMenu(card, stageId) {
    var select = card.querySelector("select[name='stage']");
    if (select) { select.value = String(stageId); }
  }

  // Send the move; on failure put the card back (parent and next sibling as they were).
  function move(card, column, before, origin) {
    var board = column.closest("[data-pipeline-board]");
    var body = new URLSearchParams();
    body.append("stage", column.dataset.stageColumn);
    if (before) { body.append("before", before.dataset.card); }
    card.setAttribute("aria-busy", "true");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrfToken()
      },
      body: body.toString()
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || ""); }
        return data;
      });
    }).then(function (data) {
      var probability = card.querySelector("[data-card-probability]");
      if (probability && data.probability !== undefined) {
        probability.textContent = String(data.probability);
      }
      syncMenu(card, data.stage);
      announce(column);
      document.getElementById("board-status").classList.add("d-none");
    }).catch(function (error) {
      origin.parent.insertBefore(card, origin.next);
      syncMenu(card, origin.parent.dataset.stageColumn);
      updateCounts(board);
      showError(error.message);
    }).finally(function () {
      card.removeAttribute("aria-busy");
    });
    updateCounts(board);
  }

  function place(card, column, before) {
    var origin = { parent: card.parentNode, next: card.nextSibling };
    if (before === card) { return; }
    column.insertBefore(card, before);
    move(card, column, before, origin);
  }

  // The card under the pointer's vertical position: the new card goes above it.
  function cardBelow(column, y, dragged) {
    var cards = Array.prototype.filter.call(column.querySelectorAll("[data-card]"), function (c) {
      return c !== dragged;
    });
    for (var i = 0; i < cards.length; i += 1) {
      var box = cards[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) { return cards[i]; }
    }
    return null;
  }

  function setUpBoard(board) {
    var dragged = null;
    updateCounts(board);
    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest("[data-card][data-move-url]");
      if (!card) { return; }
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.card);
      card.classList.add("opacity-50");
    });
    board.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("opacity-50"); }
      board.querySelectorAll(".bg-primary-subtle").forEach(function (el) {
        el.classList.remove("bg-primary-subtle");
      });
      dragged = null;
    });
    board.addEventListener("dragover", function (event) {
      var column = event.target.closest && event.target.closest("[data-stage-column]");
      if (!column || !dragged) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("bg-primary-subtle");
    });
    board.addEventListener("dragleave", function (event) {
      var column = event.target.closest && event.target.closest("[data-stage-column]");
      if (column && !column.contains(event.relatedTarget)) {
        column.classList.remove("bg-primary-subtle");
      }
    });
    board.addEventListener("drop", function (event) {
      var column = event.target.closest && event.target.closest("[data-stage-column]");
      if (!column || !dragged) { return; }
      event.preventDefault();
      column.classList.remove("bg-primary-subtle");
      place(dragged, column, cardBelow(column, event.clientY, dragged));
    });
    // The keyboard way: the card's stage menu and its Move button.
    board.addEventListener("submit", function (event) {
      var form = event.target.closest("[data-move-form]");
      if (!form) { return; }
      event.preventDefault();
      var card = form.closest("[data-card]");
      var stage = form.querySelector("select[name='stage']").value;
      var column = board.querySelector("[data-stage-column='" + stage + "']");
      if (!column || column === card.parentNode) { return; }
      place(card, column, null);
      form.querySelector("select[name='stage']").focus();
    });
  }

  // The opportunity form: a new stage brings its default probability unless one was typed.
  function setUpForm(form) {
    var data = document.getElementById("stage-probabilities");
    var stage = form.querySelector("select[name='stage']");
    var probability = form.querySelector("input[name='probability']");
    if (!data || !stage || !probability) { return; }
    var defaults = JSON.parse(data.textContent);
    var typed = false;
    probability.addEventListener("input", function () { typed = probability.value !== ""; });
    stage.addEventListener("change", function () {
      if (!typed && defaults[stage.value] !== undefined) {
        probability.value = String(defaults[stage.value]);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pipeline-board]").forEach(setUpBoard);
    document.querySelectorAll("[data-opportunity-form]").forEach(setUpForm);
  });
})();
