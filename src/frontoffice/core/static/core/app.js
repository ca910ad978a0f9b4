// frontoffice shell behaviour. No inline scripts anywhere (CSP); htmx does the rest.
(function () {
  "use strict";

  function isTyping(el) {
    return el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName));
  }

  // "/" focuses the global search from anywhere on the page; Escape leaves it.
  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("global-search");
    if (!search) return;
    if (event.key === "/" && !isTyping(document.activeElement) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && document.activeElement === search) {
      search.value = "";
      document.getElementById("search-results").innerHTML = "";
      search.blur();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches(".messages .dismiss")) target.parentElement.remove();
    if (target.matches("[data-toggle=nav]")) {
      var nav = document.getElementById("sidenav");
      var open = nav.classList.toggle("open");
      target.setAttribute("aria-expanded", open ? "true" : "false");
    }
    if (target.matches("[data-copy]")) {
      var source = document.querySelector(target.getAttribute("data-copy"));
      if (source && navigator.clipboard) navigator.clipboard.writeText(source.textContent.trim());
    }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
