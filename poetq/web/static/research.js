/* poetq researchers' pages: comfort only, every page works without this file.
   - the new-study form says live whether the grid counts add up to the statements;
   - "Copy the link" copies the respondents' link;
   - the counts of a study refresh every 15 seconds;
   - the judgmental-rotation form redraws the loadings plot as the angle or pair changes;
   - the bootstrap form shows a progress bar (samples done, read from the server's progress
     lines) and the time taken, then offers the zip (without this file the form downloads
     it directly). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function countCheck() {
    var statements = document.querySelector("[data-count-statements]");
    var counts = document.querySelector("[data-count-grid]");
    var out = document.getElementById("count-check");
    if (!statements || !counts || !out) return;
    function update() {
      var n = statements.value.split(/\r?\n/).filter(function (l) { return l.trim() !== ""; }).length;
      var parts = counts.value.split(/[\s,;]+/).filter(function (p) { return p !== ""; });
      var bad = parts.some(function (p) { return !/^\d+$/.test(p); });
      var sum = parts.reduce(function (a, p) { return a + (parseInt(p, 10) || 0); }, 0);
      out.classList.remove("ok", "bad");
      if (!parts.length) { out.textContent = n + " statements: give the grid counts."; return; }
      if (bad) { out.textContent = "The grid counts must be whole numbers."; out.classList.add("bad"); return; }
      if (sum === n) {
        out.textContent = "The grid holds " + sum + " statements: it fits the " + n + " statements.";
        out.classList.add("ok");
      } else {
        out.textContent = "The grid holds " + sum + " statements but there are " + n +
          ": change the counts so they add up to " + n + ".";
        out.classList.add("bad");
      }
    }
    statements.addEventListener("input", update);
    counts.addEventListener("input", update);
    update();
  }

  function copyLinks() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.classList.add("shown");
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy"));
        var note = document.getElementById(input.id + "-copied");
        function done(ok) { if (note) note.textContent = ok ? "Copied." : "Select the link and copy it."; }
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () {
            input.select(); done(false);
          });
        } else { input.select(); done(false); }
      });
    });
  }

  function liveCounts() {
    var box = document.querySelector("[data-counts]");
    if (!box || !window.fetch) return;
    var url = box.getAttribute("data-counts");
    function refresh() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          box.querySelectorAll("[data-count]").forEach(function (el) {
            var v = data[el.getAttribute("data-count")];
            if (v !== undefined && String(v) !== el.textContent) el.textContent = v;
          });
          box.querySelectorAll("[data-reached]").forEach(function (el) {
            var v = data.reached[el.getAttribute("data-reached")];
            if (v !== undefined) el.textContent = v;
          });
          box.querySelectorAll("[data-stopped]").forEach(function (el) {
            if (el.textContent.trim() === "") return;
            var v = data.stopped[el.getAttribute("data-stopped")];
            if (v !== undefined) el.textContent = v;
          });
        })
        .catch(function () { /* try again at the next tick */ });
    }
    window.setInterval(refresh, 15000);
  }

  function rotationPreview() {
    var form = document.getElementById("rotate-form");
    var img = document.getElementById("loadings-plot");
    if (!form || !img) return;
    var base = form.getAttribute("data-figure");
    var a = document.getElementById("rot-a"), b = document.getElementById("rot-b");
    var angle = document.getElementById("rot-angle"), pairText = document.getElementById("plot-pair");
    var timer = null;
    function redraw() {
      var fa = a.value, fb = b.value;
      if (fa === fb) return;
      var deg = parseFloat(angle.value) || 0;
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "pair=" + fa + "," + fb;
      if (deg !== 0) url += "&rot=" + encodeURIComponent(fa + "," + fb + "," + deg);
      img.src = url;
      img.alt = "Loadings of every sort on factors " + fa + " and " + fb +
        (deg ? ", turned by " + deg + " degrees (not yet applied)" : "");
      if (pairText) pairText.textContent = fa + " and " + fb;
    }
    function later() { window.clearTimeout(timer); timer = window.setTimeout(redraw, 250); }
    a.addEventListener("change", redraw);
    b.addEventListener("change", redraw);
    angle.addEventListener("input", later);
  }

  function bootstrapProgress() {
    var form = document.getElementById("bootstrap-form");
    var status = document.getElementById("bootstrap-status");
    if (!form || !status || !window.fetch || !window.URL) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var steps = form.querySelector("[name=steps]").value;
      var query = new URLSearchParams(new FormData(form)).toString();
      var started = Date.now();
      status.textContent = "";
      var bar = document.createElement("progress");
      bar.setAttribute("aria-label", "Bootstrap running");
      var note = document.createElement("span");
      status.appendChild(bar);
      status.appendChild(note);
      button.disabled = true;
      function tick() {
        var done = bar.hasAttribute("value") ? bar.value + " of " : "";
        note.textContent = " Bootstrapping: " + done + steps + " samples… " +
          Math.round((Date.now() - started) / 1000) + " s";
      }
      tick();
      var timer = window.setInterval(tick, 1000);
      function offer(blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "bootstrap.zip";
        link.textContent = "Download the bootstrap (.zip)";
        status.textContent = "Done in " + Math.round((Date.now() - started) / 1000) + " s: ";
        status.appendChild(link);
        link.click();
      }
      function fail(message) {
        status.textContent = "The bootstrap did not run: " + (message ||
          "check the options (or submit again without scripts to see the message).");
      }
      // progress=1: the server sends "steps N", "step I" per sample, then "zip <base64>"
      fetch(form.action + "?" + query + "&progress=1", {credentials: "same-origin"})
        .then(function (r) {
          var buffer = "";
          if (!r.ok || !r.body || !window.TextDecoder) {
            if (!r.ok) return r.text().then(function () { fail(); });
            return r.text().then(function (text) { handle(text, true); });
          }
          var reader = r.body.getReader(), decoder = new TextDecoder();
          function handle(chunk, last) {
            buffer += chunk;
            var lines = buffer.split("\n");
            buffer = last ? "" : lines.pop();
            lines.forEach(function (line) {
              var space = line.indexOf(" "), kind = line.slice(0, space), value = line.slice(space + 1);
              if (kind === "steps") { bar.max = parseInt(value, 10); }
              else if (kind === "step") { bar.value = parseInt(value, 10); }
              else if (kind === "zip") {
                var raw = atob(value), bytes = new Uint8Array(raw.length);
                for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
                offer(new Blob([bytes], {type: "application/zip"}));
              } else if (kind === "error") { fail(value); }
            });
          }
          function pump() {
            return reader.read().then(function (part) {
              if (part.done) { handle(decoder.decode(), true); return; }
              handle(decoder.decode(part.value, {stream: true}), false);
              return pump();
            });
          }
          return pump();
        })
        .catch(function () { fail(); })
        .then(function () { window.clearInterval(timer); button.disabled = false; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bootstrapProgress();
    countCheck();
    copyLinks();
    liveCounts();
    rotationPreview();
  });
})();
