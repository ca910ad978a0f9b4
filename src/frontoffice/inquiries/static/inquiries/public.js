// The public pages: "was this helpful?" answers 400 (a bad form) or 429 (too many from here) with the
// answer's box, which is swapped in like a success so the visitor reads why.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var source = detail.requestConfig && detail.requestConfig.elt;
    var status = detail.xhr && detail.xhr.status;
    if ((status === 400 || status === 429) && source && source.closest("[data-swap-errors]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
