/* poetq respondent pages: optional comfort only. Every page works without this file.
   Keys 1/2/3 in the pre-sort, arrow keys in lists and the review grid, tap-to-swap without a
   page load for the first tap, one submission per form, and autosave of typed texts. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  /* A form marked data-once is sent once: a double click or key repeat does not post twice. */
  function once() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
      });
    });
  }

  function presortKeys() {
    var form = document.querySelector("form.presort");
    if (!form) { return; }
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var button = form.querySelector('button[data-key="' + event.key + '"]');
      if (button) { event.preventDefault(); button.click(); }
    });
  }

  /* Up/down arrows move through a list of buttons (ranking candidates). */
  function listKeys() {
    var list = document.querySelector("ul.candidates");
    if (!list) { return; }
    list.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) { return; }
      if (event.key === "ArrowDown" && i < buttons.length - 1) { buttons[i + 1].focus(); event.preventDefault(); }
      if (event.key === "ArrowUp" && i > 0) { buttons[i - 1].focus(); event.preventDefault(); }
    });
  }

  function review() {
    var form = document.getElementById("review-form");
    if (!form) { return; }
    var status = document.getElementById("selected");
    var template = form.dataset.selectedTemplate || "";
    function firstInput() { return form.querySelector('input[name="first"]'); }
    function clear() {
      var input = firstInput();
      if (input) { input.remove(); }
      form.querySelectorAll('button.cell[aria-pressed="true"]').forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      status.textContent = "";
    }
    form.addEventListener("click", function (event) {
      var cell = event.target.closest("button.cell");
      if (!cell) { return; }
      var input = firstInput();
      if (input && input.value === cell.value) { event.preventDefault(); clear(); return; }
      if (input) { return; }  /* second tap: the form posts the swap */
      event.preventDefault();
      input = document.createElement("input");
      input.type = "hidden"; input.name = "first"; input.value = cell.value;
      form.appendChild(input);
      cell.setAttribute("aria-pressed", "true");
      status.textContent = template.replace("{text}", cell.textContent.trim());
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { clear(); return; }
      var cell = event.target.closest && event.target.closest("button.cell");
      if (!cell) { return; }
      var col = +cell.dataset.col, row = +cell.dataset.row;
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      var move = moves[event.key];
      if (!move) { return; }
      var nc = col + move[0], nr = row + move[1];
      var target = form.querySelector('button.cell[data-col="' + nc + '"][data-row="' + nr + '"]');
      if (!target && move[0] !== 0) {
        var cells = form.querySelectorAll('button.cell[data-col="' + nc + '"]');
        target = cells.length ? cells[Math.min(nr, cells.length - 1)] : null;
      }
      if (target) { target.focus(); event.preventDefault(); }
    });
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) { target.focus(); }
    }
  }

  /* Autosave of typed texts: what is typed survives a closed tab. */
  function autosave() {
    var form = document.querySelector("form[data-autosave]");
    if (!form || !window.fetch) { return; }
    var timer = null, saved = form.querySelector(".saved");
    function save() {
      var data = new FormData(form);
      fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrf_token") } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body && body.saved && saved) { saved.textContent = saved.dataset.savedText; } })
        .catch(function () { /* the next change tries again */ });
    }
    form.addEventListener("input", function () {
      if (saved) { saved.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(save, 800);
    });
    form.addEventListener("submit", function () { clearTimeout(timer); });
  }

  ready(function () { once(); presortKeys(); listKeys(); review(); autosave(); });
})();
