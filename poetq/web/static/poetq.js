/* poetq respondent pages: optional comfort only. Every page works without this file (the
   forms post and the server redirects: that path is the reference).
   With it: one request per tap that updates the page in place, keys for piles and
   candidates, arrow keys in lists and the review grid, tap-to-swap without a page load for
   the first tap, focus on the new content after every action, one submission per form,
   autosave of typed texts on every change and when the page is hidden, and a copy button
   for the resume link. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var handlers = [];  /* removed when the page's content is replaced */

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function listen(target, type, fn) {
    target.addEventListener(type, fn);
    handlers.push([target, type, fn]);
  }
  function announce(text) {
    var region = document.getElementById("announce");
    if (!region || !text) { return; }
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  /* Focus on the new content: the errors, else the element the page marks (the statement,
     the prompt, the heading). Programmatic focus shows no ring (see poetq.css). */
  function placeFocus() {
    var target = document.getElementById("errors") || document.querySelector("[data-focus]");
    if (location.hash) { target = document.getElementById(location.hash.slice(1)) || target; }
    if (target) { target.focus({ preventScroll: true }); }
  }

  /* One request per tap: the form is posted with fetch, the server answers with the next
     page itself (no redirect), and the page's content is replaced. Any failure falls back to
     the ordinary post. */
  function inPlace() {
    if (!window.fetch || !window.DOMParser || !window.history.pushState) { return; }
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      listen(form, "submit", function (event) { submitInPlace(form, event); });
    });
  }

  function submitInPlace(form, event) {
    if (form.dataset.native || event.defaultPrevented) { return; }
    event.preventDefault();
    if (form.dataset.sent) { return; }
    form.dataset.sent = "1";
    var submitter = event.submitter;
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var autosaveForm = document.querySelector("form[data-autosave]");
    if (autosaveForm) { autosaveForm.dataset.leaving = "1"; }
    fetch(form.action || location.href, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "X-Poetq-Page": "1" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
      return response.text().then(function (html) {
        show(html, response.url);
        if (submitter && submitter.name === "pick") {  /* a swap: focus the moved statement */
          var moved = document.getElementById("c-" + submitter.value);
          if (moved) { moved.focus(); announce(moved.textContent.trim() + " – " + columnOf(moved)); }
        }
      });
    }).catch(function () {
      form.dataset.native = "1";
      delete form.dataset.sent;
      if (submitter) { submitter.click(); } else { form.submit(); }
    });
  }

  function show(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    handlers.forEach(function (h) { h[0].removeEventListener(h[1], h[2]); });
    handlers = [];
    document.title = doc.title;
    document.body.className = doc.body.className;
    document.body.innerHTML = doc.body.innerHTML;
    var region = document.getElementById("announce");
    var text = region ? region.textContent : "";
    if (region) { region.textContent = ""; }
    if (url && url.split("#")[0] !== location.href.split("#")[0]) {
      /* a new address (the sort's own, after the welcome page): Back returns to the old one */
      history.pushState({ poetq: 1 }, "", url.split("#")[0]);
    }
    window.scrollTo(0, 0);
    init();
    announce(text);
  }

  /* A form marked data-once is sent once: a double click or key repeat does not post twice. */
  function once() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      listen(form, "submit", function (event) {
        if (form.dataset.native) { return; }
        if (form.dataset.sent && !event.defaultPrevented) { event.preventDefault(); }
      });
    });
  }

  function typing(event) {
    var t = event.target;
    return event.altKey || event.ctrlKey || event.metaKey ||
      (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable));
  }

  /* Keys: 1/2/3 for the piles (in the grid's order); for the candidates, the key shown beside
     each (1-9, 0, a-z: one press each; with more than 36 candidates the last ones have two,
     the first typed marks the candidates it leads to and Escape cancels it). No key waits for
     a pause. */
  function choiceKeys() {
    var form = document.querySelector("form.presort, form.choose");
    if (!form) { return; }
    var buttons = Array.prototype.slice.call(form.querySelectorAll("button[data-key]"));
    var typed = "";
    function mark(prefix) {
      typed = prefix;
      if (prefix) { form.dataset.prefix = prefix; } else { delete form.dataset.prefix; }
      buttons.forEach(function (b) {
        b.classList.toggle("prefixed", !!prefix && b.dataset.key.indexOf(prefix) === 0);
      });
    }
    function leadTo(keys) {
      return buttons.filter(function (b) { return b.dataset.key.indexOf(keys) === 0; });
    }
    listen(document, "keydown", function (event) {
      if (typing(event)) { return; }
      if (event.key === "Escape" && typed) { mark(""); event.preventDefault(); return; }
      if (!/^[0-9a-z]$/i.test(event.key)) { return; }
      var keys = typed + event.key.toLowerCase();
      var found = leadTo(keys);
      if (!found.length && typed) { keys = event.key.toLowerCase(); found = leadTo(keys); }
      if (!found.length) { mark(""); return; }
      event.preventDefault();
      if (found.length === 1 && found[0].dataset.key === keys) {
        mark("");
        found[0].click();
      } else {
        mark(keys);
      }
    });
  }

  /* Up/down arrows move through a list of buttons (ranking candidates). */
  function listKeys() {
    var list = document.querySelector("ul.candidates");
    if (!list) { return; }
    listen(list, "keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) { return; }
      if (event.key === "ArrowDown" && i < buttons.length - 1) { buttons[i + 1].focus(); event.preventDefault(); }
      if (event.key === "ArrowUp" && i > 0) { buttons[i - 1].focus(); event.preventDefault(); }
    });
  }

  function columnOf(cell) {
    var h = cell.closest("section.col").querySelector("h2");
    return h ? h.textContent.replace(/\s+/g, " ").trim() : "";
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
    listen(form, "click", function (event) {
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
    listen(form, "keydown", function (event) {
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
    if (location.hash && location.hash.indexOf("#c-") === 0) {
      var moved = document.getElementById(location.hash.slice(1));
      if (moved) { announce(moved.textContent.trim() + " – " + columnOf(moved)); }
    }
  }

  /* Autosave of typed texts: on every change (after a short pause while typing), and at once
     when the page is hidden or closed (a beacon outlives the page). */
  function autosave() {
    var form = document.querySelector("form[data-autosave]");
    if (!form || !window.fetch) { return; }
    var timer = null, saved = form.querySelector(".saved"), dirty = false;
    function body() {
      var data = new FormData(form);
      return new URLSearchParams(data);
    }
    function say(ok) {
      if (!saved) { return; }
      saved.classList.toggle("unsaved", !ok);
      saved.textContent = ok ? saved.dataset.savedText : saved.dataset.unsavedText;
    }
    function save() {
      clearTimeout(timer);
      if (!dirty) { return; }
      dirty = false;
      fetch(form.dataset.autosave, { method: "POST", body: body(), credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector('input[name="csrf_token"]').value } })
        .then(function (r) { return r.ok ? r.json() : { saved: false }; })
        .then(function (reply) { say(reply && reply.saved); })
        .catch(function () { dirty = true; say(false); });
    }
    function beacon() {
      if (!dirty || form.dataset.leaving) { return; }
      if (navigator.sendBeacon && navigator.sendBeacon(form.dataset.autosave, body())) {
        dirty = false;
      } else { save(); }
    }
    listen(form, "input", function () {
      dirty = true;
      if (saved) { saved.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(save, 400);
    });
    listen(form, "change", function () { dirty = true; save(); });
    listen(window, "online", save);
    listen(window, "pagehide", beacon);
    listen(document, "visibilitychange", function () { if (document.visibilityState === "hidden") { beacon(); } });
    listen(form, "submit", function () { clearTimeout(timer); dirty = false; });
  }

  /* The resume link copied with one tap. */
  function copyButtons() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      listen(button, "click", function () {
        var note = button.parentNode.querySelector(".copied");
        function done() { if (note) { note.textContent = button.dataset.copied; } }
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(button.dataset.copy).then(done, function () { select(); });
        } else { select(); }
        function select() {
          var link = document.getElementById("resume-link");
          if (!link) { return; }
          var range = document.createRange();
          range.selectNodeContents(link);
          var sel = window.getSelection();
          sel.removeAllRanges(); sel.addRange(range);
        }
      });
    });
  }

  /* Back to an address whose page was replaced in place: load it (the server shows where
     the respondent is now). */
  window.addEventListener("popstate", function () { location.reload(); });

  function init() {
    inPlace(); once(); choiceKeys(); listKeys(); review(); autosave(); copyButtons(); placeFocus();
  }
  ready(init);
})();
