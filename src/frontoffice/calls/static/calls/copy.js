// Copy buttons: <button data-copy-from="#input-id" data-copied="Copied">. The clipboard API exists only on
// https (or localhost); an office intranet on plain http falls back to selecting the text and copying it.
(function () {
  "use strict";

  function copied(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || label;
    button.disabled = true;
    window.setTimeout(function () {
      button.textContent = label;
      button.disabled = false;
    }, 1500);
  }

  function fallback(source, button) {
    source.focus();
    source.select();
    try {
      if (document.execCommand("copy")) copied(button);
    } catch (error) {
      // Nothing more to do: the text stays selected for Ctrl+C.
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy-from"));
    if (!source) return;
    var text = (source.value !== undefined ? source.value : source.textContent).trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); }, function () { fallback(source, button); });
    } else {
      fallback(source, button);
    }
  });
})();
