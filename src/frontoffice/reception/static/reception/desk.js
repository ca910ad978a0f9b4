// The desk screen: waiting timers, the visitor filter and single-key shortcuts. No inline scripts (CSP);
// htmx re-fetches the lists every few seconds and this file keeps working on whatever it swapped in.
(function () {
  "use strict";
  if (window.frontofficeDesk) return;
  window.frontofficeDesk = true;

  var clockOffset = 0; // server time minus this browser's time, so a wrong PC clock does not skew timers

  function isTyping(el) {
    return el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName));
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l").replace(/Ł/g, "l")
      .toLowerCase();
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function readClock() {
    var board = document.querySelector("[data-now]");
    var now = board && Date.parse(board.getAttribute("data-now"));
    if (now) clockOffset = now - Date.now();
  }

  // Every element with data-since shows the time elapsed since then (m:ss, or h:mm:ss) and turns
  // overdue once data-target seconds have passed.
  function tick() {
    var now = Date.now() + clockOffset;
    var timers = document.querySelectorAll("[data-since]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var since = Date.parse(el.getAttribute("data-since"));
      if (!since) continue;
      var seconds = Math.max(0, Math.floor((now - since) / 1000));
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      el.textContent = h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
      var target = parseInt(el.getAttribute("data-target") || "0", 10);
      if (target) {
        var overdue = seconds >= target;
        el.classList.toggle("overdue", overdue);
        var row = el.closest("[data-row]");
        if (row) row.classList.toggle("overdue", overdue);
      }
    }
  }

  // The filter box hides visitors whose name, company or host does not contain what is typed.
  function applyFilter() {
    var box = document.getElementById("desk-q");
    if (!box) return;
    var words = fold(box.value).split(/\s+/).filter(Boolean);
    var rows = document.querySelectorAll("#desk-live [data-row]");
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var text = fold(rows[i].getAttribute("data-search") || rows[i].textContent);
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      rows[i].hidden = !match;
      if (match) shown++;
    }
    var walkIn = document.getElementById("desk-walk-in-named");
    if (walkIn) {
      walkIn.hidden = !words.length;
      var base = walkIn.getAttribute("data-href");
      walkIn.setAttribute("href", base + (base.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(box.value.trim()));
      var none = document.getElementById("desk-q-none");
      if (none) none.hidden = !words.length || shown > 0;
    }
  }

  // Keys on the desk screen: "n" a walk-in, "/" the visitor filter (instead of the global search).
  // Listened to in the capture phase so the shell's "/" (global search) does not also run.
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("desk-live")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var box = document.getElementById("desk-q");
    if (event.key === "Escape" && document.activeElement === box) {
      box.value = "";
      applyFilter();
      box.blur();
      return;
    }
    if (isTyping(document.activeElement)) return;
    if (event.key === "/" && box) {
      event.preventDefault();
      event.stopPropagation();
      box.focus();
      box.select();
    } else if (event.key === "n") {
      var link = document.getElementById("desk-walk-in");
      if (link) {
        event.preventDefault();
        window.location.href = link.href;
      }
    }
  }, true);

  document.addEventListener("input", function (event) {
    if (event.target.id === "desk-q") applyFilter();
  });

  // Enter in the filter with exactly one visitor shown opens that visit.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.id !== "desk-q") return;
    event.preventDefault();
    var visible = Array.prototype.filter.call(document.querySelectorAll("#desk-live [data-row]"),
      function (row) { return !row.hidden; });
    var link = visible.length === 1 && visible[0].querySelector("a.visitor");
    if (link) link.click();
  });

  // Signed out meanwhile (the refresh was sent to the sign-in page): show that page, not inside the board.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/account/login/") >= 0) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    readClock();
    applyFilter();
    tick();
  });

  function start() {
    readClock();
    tick();
    applyFilter();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
