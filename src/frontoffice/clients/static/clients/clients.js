// Client pages: keyboard shortcuts and htmx error swaps. No inline scripts anywhere (CSP).
(function () {
  "use strict";
  if (window.frontofficeClients) return;
  window.frontofficeClients = true;

  function isTyping(el) {
    return el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName));
  }

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#client-rows td:first-child a"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    var search = document.getElementById("client-q");

    // Arrow keys walk from the search box through the results and back.
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var links = resultLinks();
      var at = links.indexOf(active);
      if (active === search && event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[0].focus();
      } else if (at >= 0) {
        event.preventDefault();
        var next = event.key === "ArrowDown" ? at + 1 : at - 1;
        if (next < 0 && search) search.focus();
        else if (next < links.length) links[next].focus();
      }
      return;
    }
    if (event.key === "Escape" && active === search) {
      search.blur();
      return;
    }
    if (isTyping(active)) return;

    // "n": a new client in the quick-entry panel.
    if (event.key === "n") {
      var name = document.getElementById("quick-name");
      if (name) {
        event.preventDefault();
        name.focus();
        name.select();
      }
      return;
    }
    // "f": the search box of the list.
    if (event.key === "f" && search) {
      event.preventDefault();
      search.focus();
      search.select();
      return;
    }
    // Other single-key actions are declared in the page: <a data-key="e" href="…">.
    var target = document.querySelector('[data-key="' + event.key.replace(/["\\]/g, "") + '"]');
    if (target && event.key.length === 1) {
      event.preventDefault();
      target.click();
    }
  });

  // A form that answers 400 with itself, errors shown and input kept, is swapped in like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var source = detail.requestConfig && detail.requestConfig.elt;
    if (detail.xhr && detail.xhr.status === 400 && source && source.closest("[data-swap-errors]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
