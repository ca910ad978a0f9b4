// The switchboard: polls the board, shows the selected call's screen pop, runs the pop's actions in place,
// ticks the timers and takes single-key shortcuts. No inline scripts (CSP). Without this file every
// form still works as a plain POST that comes back to the switchboard.
(function () {
  "use strict";
  if (window.frontofficeSwitchboard) return;
  window.frontofficeSwitchboard = true;

  var POLL_MS = 700; // the board shows a new call within a second
  var HIDDEN_POLL_MS = 5000; // a tab nobody looks at asks rarely
  var RETRY_MS = 3000;
  var clockOffset = 0; // server time minus this browser's time
  var selected = null; // the id of the call in the pop (a string)
  var inflight = false;
  var pollTimer = null;
  var findTimer = null;
  var whoTimer = null;

  function $(id) { return document.getElementById(id); }

  function isTyping(el) {
    return el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName));
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function toLogin(response) {
    if (response.redirected && response.url.indexOf("/account/login/") >= 0) {
      window.location.reload();
      return true;
    }
    return false;
  }

  // --- timers ------------------------------------------------------------------------------------

  function readClock() {
    var board = document.querySelector("[data-now]");
    var now = board && Date.parse(board.getAttribute("data-now"));
    if (now) clockOffset = now - Date.now();
  }

  function tick() {
    var now = Date.now() + clockOffset;
    var timers = document.querySelectorAll("#sb [data-since]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var since = Date.parse(el.getAttribute("data-since"));
      if (!since) continue;
      var seconds = Math.max(0, Math.floor((now - since) / 1000));
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      el.textContent = h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
      var target = parseInt(el.getAttribute("data-target") || "0", 10);
      if (target) el.classList.toggle("overdue", seconds >= target);
    }
  }

  // --- the board ---------------------------------------------------------------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#sb-live [data-call]"));
  }

  function rowOf(id) {
    return id ? document.querySelector('#sb-live [data-call="' + id + '"]') : null;
  }

  function setOnline(online) {
    var status = $("sb-status");
    if (!status) return;
    status.classList.toggle("offline", !online);
    status.textContent = status.getAttribute(online ? "data-online" : "data-offline");
  }

  function schedule(ms) {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, ms !== undefined ? ms : (document.hidden ? HIDDEN_POLL_MS : POLL_MS));
  }

  function poll() {
    var sb = $("sb");
    if (!sb || inflight) return;
    inflight = true;
    var url = sb.getAttribute("data-live-url") + "?v=" + encodeURIComponent(sb.getAttribute("data-version") || "");
    var next;
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"HX-Request": "true"}})
      .then(function (response) {
        if (toLogin(response)) return null;
        if (response.status === 204) { setOnline(true); return null; }
        if (!response.ok) throw new Error("board " + response.status);
        var version = response.headers.get("X-Board-Version");
        return response.text().then(function (html) {
          setOnline(true);
          showBoard(html);
          if (version) sb.setAttribute("data-version", version);
        });
      })
      .catch(function () { setOnline(false); next = RETRY_MS; })
      .then(function () { inflight = false; schedule(next); });
  }

  function popIsBusy() {
    var pop = $("sb-pop");
    return pop && pop.contains(document.activeElement) && isTyping(document.activeElement);
  }

  // A call that starts waiting pops up by itself, unless the receptionist is busy with another live call
  // or typing; the selected call's pop is shown afresh when the call changed.
  function showBoard(html) {
    var seen = {};
    rows().forEach(function (row) { seen[row.getAttribute("data-call")] = true; });
    $("sb-live").innerHTML = html;
    readClock();
    var pop = document.querySelector("#sb-pop [data-pop-call]");
    var row = rowOf(selected);
    var busyWithLiveCall = row && row.closest(".sb-now");
    var fresh = rows().filter(function (r) {
      return r.hasAttribute("data-waiting") && !seen[r.getAttribute("data-call")];
    })[0];
    if (fresh && !busyWithLiveCall && !popIsBusy()) {
      select(fresh.getAttribute("data-call"));
    } else {
      markSelected();
      // Off the board (ended long ago): refresh only while the pop still shows it live.
      var changed = pop && (row ? row.getAttribute("data-v") !== pop.getAttribute("data-v")
                                : !pop.classList.contains("status-ended"));
      if (selected && changed && !popIsBusy()) loadPop(selected);
    }
    tick();
  }

  function markSelected() {
    rows().forEach(function (row) {
      var on = row.getAttribute("data-call") === selected;
      row.classList.toggle("selected", on);
      var link = row.querySelector("a.sb-row");
      if (link) {
        if (on) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      }
    });
  }

  // --- the screen pop ----------------------------------------------------------------------------

  function popUrl(id) {
    return $("sb").getAttribute("data-pop-url").replace("2147483647", id);
  }

  function showPop(html) {
    var pop = $("sb-pop");
    pop.innerHTML = html;
    var card = pop.querySelector("[data-pop-call]");
    if (card) selected = card.getAttribute("data-pop-call");
    markSelected();
    tick();
  }

  function loadPop(id) {
    return fetch(popUrl(id), {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (response) {
        if (toLogin(response) || !response.ok) return;
        return response.text().then(function (html) {
          if (selected === id) showPop(html);
        });
      });
  }

  function select(id) {
    if (!id) return;
    selected = id;
    markSelected();
    var row = rowOf(id);
    if (row) row.scrollIntoView({block: "nearest"});
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", $("sb").getAttribute("data-board-url") + "?call=" + id);
    }
    loadPop(id);
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(rowOf(selected));
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next].getAttribute("data-call"));
  }

  // A form of the pop (answer, transfer, handled, new client, link): sent here, the pop comes back.
  function send(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    return fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                               headers: {"HX-Request": "true", "X-CSRFToken": csrfToken(form)}})
      .then(function (response) {
        if (toLogin(response)) return null;
        return response.text().then(function (html) { return {status: response.status, html: html}; });
      })
      .catch(function () {
        if (button) button.disabled = false;
        setOnline(false);
        return null;
      });
  }

  function findClients(input) {
    var url = input.getAttribute("data-matches-url") + "?q=" + encodeURIComponent(input.value);
    fetch(url, {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var box = $("pop-matches");
        if (box && input.isConnected) box.innerHTML = html;
      });
  }

  // --- logging a call by hand --------------------------------------------------------------------

  function openManual() {
    var dialog = $("manual-dialog");
    if (!dialog) {
      var link = $("sb-manual");
      if (link) window.location.href = link.href;
      return;
    }
    if (!dialog.open) dialog.showModal();
    var number = $("manual-number");
    if (number) { number.focus(); number.select(); }
  }

  function focusFirstError(root) {
    var field = root.querySelector(".has-error input, .has-error select, .has-error textarea") || $("manual-number");
    if (field) field.focus();
  }

  function saveManual(form) {
    send(form).then(function (answer) {
      if (!answer) return;
      if (answer.status === 200) {
        var dialog = $("manual-dialog");
        ["manual-number", "manual-name", "manual-notes"].forEach(function (id) { if ($(id)) $(id).value = ""; });
        if ($("manual-who")) $("manual-who").innerHTML = "";
        var save = form.querySelector("button[type=submit]");
        if (save) save.disabled = false;
        dialog.close();
        showPop(answer.html);
        schedule(0);
      } else {
        $("manual-body").innerHTML = answer.html;
        focusFirstError($("manual-body"));
      }
    });
  }

  function lookUpNumber(input) {
    var box = $("manual-who");
    if (!box) return;
    var url = box.getAttribute("data-who-url") + "?number=" + encodeURIComponent(input.value);
    fetch(url, {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { box.innerHTML = html; });
  }

  // --- events ------------------------------------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "manual-form" && form.closest("#manual-dialog")) {
      event.preventDefault();
      saveManual(form);
    } else if (form.hasAttribute("data-sb") && form.closest("#sb-pop")) {
      event.preventDefault();
      send(form).then(function (answer) {
        if (!answer) return;
        showPop(answer.html);
        document.activeElement.blur && document.activeElement.blur();
        schedule(0);
      });
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#sb-live a.sb-row");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      select(link.closest("[data-call]").getAttribute("data-call"));
      return;
    }
    if (event.target.closest && event.target.closest("#sb-manual") && $("manual-dialog")) {
      event.preventDefault();
      openManual();
    }
    var close = event.target.closest && event.target.closest("[data-close-dialog]");
    if (close) {
      var dialog = close.closest("dialog");
      if (dialog) dialog.close();
      else window.location.href = close.getAttribute("data-href");
    }
  });

  // Putting the call through to a department is a transfer: the outcome follows (and can still be changed).
  function departmentChosen(select) {
    var outcome = $("manual-outcome");
    if (!outcome) return;
    if (select.value && outcome.value === "answered") outcome.value = "transferred";
    else if (!select.value && outcome.value === "transferred") outcome.value = "answered";
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "manual-department") departmentChosen(event.target);
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.id === "manual-department") departmentChosen(target);
    if (target.id === "pop-find") {
      window.clearTimeout(findTimer);
      findTimer = window.setTimeout(function () { findClients(target); }, 200);
    } else if (target.id === "manual-number") {
      window.clearTimeout(whoTimer);
      whoTimer = window.setTimeout(function () { lookUpNumber(target); }, 250);
    }
  });

  // Keys inside the forms: Enter sends the transfer or the manual log from a select too; Escape leaves.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.tagName === "SELECT" && target.form &&
        (target.id === "transfer-to" || target.form.id === "manual-form")) {
      event.preventDefault();
      target.form.requestSubmit();
    } else if (event.key === "Enter" && target.id === "pop-find") {
      event.preventDefault();
      var matches = document.querySelectorAll("#pop-matches form");
      if (matches.length === 1) matches[0].requestSubmit();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.id === "manual-notes") {
      event.preventDefault();
      target.form.requestSubmit();
    } else if (event.key === "Escape" && target.closest && target.closest("#sb-pop") && isTyping(target)) {
      target.blur();
    }
  });

  // Single keys on the board (not while typing, not with a modifier, not behind the open dialog).
  var KEYS = {
    j: function () { move(1); }, ArrowDown: function () { move(1); },
    k: function () { move(-1); }, ArrowUp: function () { move(-1); },
    a: function () { click("pop-answer"); },
    h: function () { click("pop-handled"); },
    n: function () { click("pop-message"); },
    t: function () { focus("transfer-to"); },
    c: function () { focus("pop-find") || focus("pop-name"); },
    m: openManual,
    "?": function () {
      var keys = document.querySelector(".sb-keys");
      if (keys) keys.open = !keys.open;
    }
  };

  function click(id) {
    var el = $(id);
    if (el) el.click();
    return !!el;
  }

  function focus(id) {
    var el = $(id);
    if (el) el.focus();
    return !!el;
  }

  document.addEventListener("keydown", function (event) {
    if (!$("sb") || event.ctrlKey || event.metaKey || event.altKey) return;
    var dialog = $("manual-dialog");
    if ((dialog && dialog.open) || isTyping(document.activeElement)) return;
    var action = KEYS[event.key];
    if (!action || (/^Arrow/.test(event.key) && !rows().length)) return;
    event.preventDefault();
    action();
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) schedule(0);
  });

  function start() {
    var sb = $("sb");
    if (!sb) return;
    var card = document.querySelector("#sb-pop [data-pop-call]");
    if (card) selected = card.getAttribute("data-pop-call");
    readClock();
    markSelected();
    if (!selected) {
      var waiting = document.querySelector("#sb-live [data-waiting]");
      if (waiting) select(waiting.getAttribute("data-call"));
    }
    tick();
    window.setInterval(tick, 1000);
    schedule();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
