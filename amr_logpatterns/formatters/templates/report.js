"use strict";
(function () {
  var table = document.getElementById("findings-table");
  var form = document.getElementById("filters");
  var count = document.getElementById("filter-count");
  var rows = table ? Array.prototype.slice.call(table.tBodies[0].rows) : [];

  function filter() {
    var want = {};
    ["severity", "component", "status"].forEach(function (key) {
      var select = document.getElementById("filter-" + key);
      want[key] = select ? select.value : "";
    });
    var shown = 0;
    rows.forEach(function (row) {
      var keep = Object.keys(want).every(function (key) {
        return !want[key] || row.getAttribute("data-" + key) === want[key];
      });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    if (count) {
      count.textContent = shown === rows.length
        ? "Showing all " + rows.length + " findings."
        : "Showing " + shown + " of " + rows.length + " findings.";
    }
  }

  function sortBy(button) {
    var key = button.getAttribute("data-key");
    var th = button.closest("th");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.querySelectorAll("th"), function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = button.hasAttribute("data-numeric");
    var body = table.tBodies[0];
    var sorted = rows.slice().sort(function (a, b) {
      var x = a.getAttribute("data-sort-" + key) || "";
      var y = b.getAttribute("data-sort-" + key) || "";
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      if (order === 0) { order = Number(a.getAttribute("data-sort-first")) - Number(b.getAttribute("data-sort-first")); }
      return ascending ? order : -order;
    });
    sorted.forEach(function (row) { body.appendChild(row); });
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var text = target.textContent;
    function done(word) {
      button.textContent = word;
      window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok ? "Copied" : "Selected");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
    } else {
      fallback();
    }
  }

  if (form && table) {
    form.hidden = false;
    form.addEventListener("change", filter);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    filter();
  }
  if (table) {
    // sorting needs the script, so the header buttons are made by it
    Array.prototype.forEach.call(table.tHead.querySelectorAll("th[data-key]"), function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.setAttribute("data-key", th.getAttribute("data-key"));
      if (th.hasAttribute("data-numeric")) { button.setAttribute("data-numeric", ""); }
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(button); });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      if (!d.open) { d.setAttribute("data-opened-for-print", ""); d.open = true; }
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-opened-for-print]"), function (d) {
      d.open = false; d.removeAttribute("data-opened-for-print");
    });
  });
  // a link to an evidence line inside a folded block opens the block first
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
      if (node.tagName === "TR" && node.hidden) { node.hidden = false; }
    }
    if (target) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
})();
