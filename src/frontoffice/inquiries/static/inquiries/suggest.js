// Suggested articles (inquiries/_suggestions.html) outside the desk's answer screens, which have their own
// (desk.js): "Insert" copies the article's answer into the element named by the suggestions' data-target
// and adds the article's id to that element's form as "article_ids"; with no such element on the page (the
// calls screen pop), it copies the answer to the clipboard. No inline scripts (CSP).
(function () {
  "use strict";
  if (window.frontofficeInquiriesSuggest) return;
  window.frontofficeInquiriesSuggest = true;

  function remember(form, id) {
    if (!form || !/^\d+$/.test(id) || form.querySelector('input[name="article_ids"][value="' + id + '"]')) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "article_ids";
    input.value = id;
    form.appendChild(input);
  }

  function insert(button) {
    var box = button.closest("[data-suggestions]");
    var answer = button.getAttribute("data-answer") || "";
    var targetId = box ? box.getAttribute("data-target") : "";
    var target = targetId ? document.getElementById(targetId) : null;
    if (!target || !("value" in target)) {
      if (navigator.clipboard) navigator.clipboard.writeText(answer);
      button.textContent = button.getAttribute("data-copied") || button.textContent;
      return;
    }
    target.value = target.value.trim() ? target.value.replace(/\s+$/, "") + "\n\n" + answer : answer;
    target.dispatchEvent(new Event("input", {bubbles: true}));
    remember(target.form, button.getAttribute("data-article-id"));
    target.focus();
    if (target.setSelectionRange) target.setSelectionRange(target.value.length, target.value.length);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var button = event.target.closest("[data-suggestions] [data-article-insert]");
    // The desk's screens (desk.js) handle their own suggestions box.
    if (!button || button.closest("#inq-suggestions")) return;
    event.preventDefault();
    insert(button);
  });
})();
