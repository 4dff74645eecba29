/* Typing in a paper sort: Enter moves to the next statement, the counts per column update
   as you type, an overfilled column or a value that is not a column is named at once and
   stops the form from being sent, and "Undo" takes back the last entry. The server checks
   everything again; the page works without this file. */
(function () {
  "use strict";
  var form = document.querySelector("[data-entry-form]");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-entry]"));
  var cells = Array.prototype.slice.call(document.querySelectorAll("#entry-counts td[data-column]"));
  var status = document.getElementById("entry-status");
  var undo = document.getElementById("undo-entry");
  var history = [];
  var allowed = {};
  cells.forEach(function (c) { allowed[c.getAttribute("data-column")] = parseInt(c.getAttribute("data-room"), 10); });

  function value(input) {
    var v = input.value.trim().replace("\u2212", "-").replace(/^\+/, "");
    if (v === "") return null;
    return /^-?\d+$/.test(v) && allowed.hasOwnProperty(String(parseInt(v, 10))) ? String(parseInt(v, 10)) : "bad";
  }

  function check() {
    var counts = {}, bad = [], filled = 0, over = [];
    inputs.forEach(function (input) {
      var v = value(input);
      input.removeAttribute("aria-invalid");
      if (v === "bad") { bad.push(input); input.setAttribute("aria-invalid", "true"); }
      else if (v !== null) { counts[v] = (counts[v] || 0) + 1; filled += 1; }
    });
    cells.forEach(function (c) {
      var col = c.getAttribute("data-column"), room = allowed[col], n = counts[col] || 0;
      c.textContent = n + "/" + room;
      c.classList.toggle("over", n > room);
      c.classList.toggle("full", n === room);
      if (n > room) over.push(c.getAttribute("data-label"));
    });
    status.classList.remove("ok", "bad");
    if (over.length) {
      status.textContent = "Too many statements in column " + over.join(", ") + ": check the record sheet.";
      status.classList.add("bad");
    } else if (bad.length) {
      status.textContent = "Statement " + bad[0].getAttribute("data-entry") + ": type a column from " +
        cells[0].getAttribute("data-label") + " to " + cells[cells.length - 1].getAttribute("data-label") + ".";
      status.classList.add("bad");
    } else if (filled === inputs.length) {
      status.textContent = "All " + filled + " statements placed: the sort can be saved.";
      status.classList.add("ok");
    } else {
      status.textContent = filled + " of " + inputs.length + " statements placed.";
    }
    return { over: over, bad: bad };
  }

  inputs.forEach(function (input, i) {
    input.addEventListener("focus", function () { input.setAttribute("data-before", input.value); });
    input.addEventListener("change", function () {
      var before = input.getAttribute("data-before") || "";
      if (before !== input.value) history.push([input, before]);
      input.setAttribute("data-before", input.value);
    });
    input.addEventListener("input", check);
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      input.dispatchEvent(new Event("change"));
      var next = inputs[i + 1] || document.getElementById("save-entry");
      next.focus();
      if (next.select) next.select();
    });
  });
  var name = document.getElementById("name");
  if (name && inputs.length) {
    name.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      inputs[0].focus();
    });
  }
  if (undo) {
    undo.classList.add("shown");
    undo.addEventListener("click", function () {
      var last = history.pop();
      if (!last) { status.textContent = "Nothing to undo."; return; }
      last[0].value = last[1];
      last[0].setAttribute("data-before", last[1]);
      check();
      last[0].focus();
    });
  }
  form.addEventListener("submit", function (event) {
    var found = check();
    var first = found.bad[0] || (found.over.length ? inputs.filter(function (input) {
      var v = value(input);
      var c = cells.filter(function (cell) { return cell.getAttribute("data-column") === v; })[0];
      return c && c.classList.contains("over");
    })[0] : null);
    if (first) { event.preventDefault(); first.focus(); }
  });
  check();
}());
