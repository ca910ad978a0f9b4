// The inquiries desk: finding the client as the name is typed, suggested articles as the question is typed,
// "Insert" copying an article's answer into the reply (and remembering it), and the keys of the desk.
// No inline scripts (CSP). Without this file every form still works as a plain POST.
(function () {
  "use strict";
  if (window.frontofficeInquiriesDesk) return;
  window.frontofficeInquiriesDesk = true;

  var FIND_MS = 200;
  var SUGGEST_MS = 250;
  var findTimer = null;
  var suggestTimer = null;
  var suggestSeq = 0;
  var lastSuggested = null;

  function $(id) { return document.getElementById(id); }

  function isTyping(el) {
    return el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName));
  }

  function get(url) {
    return fetch(url, {credentials: "same-origin", headers: {"HX-Request": "true"}}).then(function (response) {
      if (response.redirected && response.url.indexOf("/account/login/") >= 0) {
        window.location.reload();
        return "";
      }
      return response.ok ? response.text() : "";
    });
  }

  function withQuery(url, name, value) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + name + "=" + encodeURIComponent(value);
  }

  // --- the client: found as it is typed, or a new one ----------------------------------------------

  function matchButtons() {
    return Array.prototype.slice.call(document.querySelectorAll("#inq-client-matches [data-client]"));
  }

  function findClients(input) {
    var form = $("inq-new-form");
    var box = $("inq-client-matches");
    if (!form || !box) return;
    var q = input.value.trim();
    if (q.length < 2) { box.innerHTML = ""; return; }
    get(withQuery(form.getAttribute("data-matches-url"), "q", q)).then(function (html) {
      if (input.value.trim() === q) box.innerHTML = html;
    });
  }

  function chooseClient(button) {
    $("inq-client").value = button.getAttribute("data-client");
    $("inq-chosen-name").textContent = button.getAttribute("data-name");
    $("inq-chosen").hidden = false;
    $("inq-client-entry").hidden = true;
    if ($("inq-new-client")) $("inq-new-client").hidden = true;
    $("inq-client-matches").innerHTML = "";
    var question = $("inq-question");
    if (question) question.focus();
  }

  function changeClient() {
    $("inq-client").value = "";
    $("inq-chosen").hidden = true;
    $("inq-client-entry").hidden = false;
    if ($("inq-new-client")) $("inq-new-client").hidden = false;
    var name = $("inq-client-name");
    name.focus();
    name.select();
    if (name.value.trim().length > 1) findClients(name);
  }

  function moveInMatches(step) {
    var all = matchButtons();
    if (!all.length) return false;
    var at = all.indexOf(document.querySelector("#inq-client-matches .active"));
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    all.forEach(function (b, i) {
      b.classList.toggle("active", i === next);
      b.setAttribute("aria-selected", i === next ? "true" : "false");
    });
    all[next].scrollIntoView({block: "nearest"});
    return true;
  }

  // --- suggested articles ---------------------------------------------------------------------------

  function suggestBox() { return $("inq-suggestions"); }

  function questionText() {
    var subject = $("inq-subject"), question = $("inq-question");
    return ((subject ? subject.value : "") + "\n" + (question ? question.value : "")).trim();
  }

  function numberSuggestions(box) {
    insertButtons(box).slice(0, 5).forEach(function (button, i) {
      if (button.querySelector(".shortcut")) return;
      var key = document.createElement("kbd");
      key.className = "shortcut";
      key.textContent = "Alt+" + (i + 1);
      button.setAttribute("aria-keyshortcuts", "Alt+" + (i + 1));
      button.insertBefore(key, button.firstChild);
    });
  }

  function suggest(text) {
    var box = suggestBox();
    var url = box && box.getAttribute("data-url");
    if (!url || text.length < 3 || text === lastSuggested) return;
    lastSuggested = text;
    var seq = ++suggestSeq;
    box.classList.add("loading");
    get(withQuery(withQuery(url, "target", "inq-answer"), "text", text.slice(0, 1000))).then(function (html) {
      if (seq !== suggestSeq) return;  // a later question's answer is on its way
      box.classList.remove("loading");
      if (!html.trim()) return;
      box.innerHTML = html;
      if (window.htmx) window.htmx.process(box);
      numberSuggestions(box);
    }).catch(function () { box.classList.remove("loading"); });
  }

  // The knowledge base's "Insert" buttons (inquiries/_suggestions.html) carry the article's id, question and
  // answer.
  var INSERT = "[data-article-insert]";

  function insertButtons(box) {
    return Array.prototype.slice.call((box || suggestBox() || document).querySelectorAll(INSERT));
  }

  function articleOf(button) {
    var card = button.closest(".suggestion, article, li");
    var heading = card && card.querySelector("h3, h4");
    return {id: button.getAttribute("data-article-id") || "", answer: (button.getAttribute("data-answer") || "").trim(),
            question: button.getAttribute("data-question") || (heading ? heading.textContent.trim() : "")};
  }

  function addUsed(article) {
    var list = $("inq-used");
    if (!list || !/^\d+$/.test(article.id) || list.querySelector('[data-article="' + article.id + '"]')) return;
    var item = document.createElement("li");
    item.setAttribute("data-article", article.id);
    item.appendChild(document.createTextNode(article.question || "#" + article.id));
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "article";
    input.value = article.id;
    item.appendChild(input);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.setAttribute("data-remove-article", "");
    remove.setAttribute("aria-label", list.getAttribute("data-remove-label") || "Remove");
    remove.textContent = "×";
    item.appendChild(document.createTextNode(" "));
    item.appendChild(remove);
    list.appendChild(item);
    $("inq-used-box").hidden = false;
  }

  function insert(button) {
    var article = articleOf(button);
    var answer = $("inq-answer");
    if (!answer || !article.answer) return;
    answer.value = answer.value.trim() ? answer.value.replace(/\s+$/, "") + "\n\n" + article.answer : article.answer;
    addUsed(article);
    answer.focus();
    answer.setSelectionRange(answer.value.length, answer.value.length);
    answer.scrollTop = answer.scrollHeight;
  }

  // --- events --------------------------------------------------------------------------------------

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.id === "inq-client-name") {
      window.clearTimeout(findTimer);
      findTimer = window.setTimeout(function () { findClients(target); }, FIND_MS);
    } else if ((target.id === "inq-question" || target.id === "inq-subject") && $("inq-new-form")) {
      window.clearTimeout(suggestTimer);
      suggestTimer = window.setTimeout(function () { suggest(questionText()); }, SUGGEST_MS);
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var match = target.closest("#inq-client-matches [data-client]");
    if (match) { chooseClient(match); return; }
    if (target.closest("#inq-client-change")) { changeClient(); return; }
    var button = target.closest("#inq-suggestions " + INSERT);
    if (button) {
      event.preventDefault();
      insert(button);
      return;
    }
    var remove = target.closest("[data-remove-article]");
    if (remove) {
      remove.closest("li").remove();
      if ($("inq-used") && !$("inq-used").children.length) $("inq-used-box").hidden = true;
    }
  });

  function submitAnswer() {
    var button = $("inq-answer-close");
    if (button && button.form) button.form.requestSubmit(button);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.id === "inq-client-name") {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (moveInMatches(event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
        return;
      }
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();  // never sends the form from the client field
        var active = document.querySelector("#inq-client-matches .active");
        if (active) chooseClient(active);
        else if ($("inq-client-phone") && target.value.trim()) $("inq-client-phone").focus();
        return;
      }
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.closest &&
        target.closest("#inq-new-form, #inq-answer-form")) {
      event.preventDefault();
      submitAnswer();
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-5]$/.test(event.code || "")) {
      var buttons = insertButtons();
      var nth = buttons[parseInt(event.code.slice(5), 10) - 1];
      if (nth) {
        event.preventDefault();
        insert(nth);
      }
      return;
    }
    if (event.key === "Escape" && isTyping(target) && target.closest && target.closest(".inq-new, .inq-detail")) {
      target.blur();
    }
  });

  // --- the desk's keys: N for a new question, J/K to move, Enter to open -----------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-inquiry]"));
  }

  function moveRow(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(document.querySelector("tr[data-inquiry].selected"));
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === next); });
    var link = all[next].querySelector("a.inq-link");
    if (link) link.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(document.activeElement)) return;
    if (event.key === "n" && $("inq-new")) {
      event.preventDefault();
      window.location.href = $("inq-new").href;
    } else if ((event.key === "j" || event.key === "k") && rows().length) {
      event.preventDefault();
      moveRow(event.key === "j" ? 1 : -1);
    } else if (event.key === "?") {
      var keys = document.querySelector(".inq-keys");
      if (keys) keys.open = !keys.open;
    }
  });

  function start() {
    var box = suggestBox();
    if (!box) return;
    var text = box.getAttribute("data-text") || ($("inq-new-form") ? questionText() : "");
    if (text) suggest(text.trim());
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
