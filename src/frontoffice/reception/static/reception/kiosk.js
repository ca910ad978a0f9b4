// The visitors' kiosk. No inline scripts (CSP); every screen works without this file, which adds:
// the idle timeout back to the welcome screen, the automatic return after "checked in"/"goodbye",
// keeping the code box focused for a USB/Bluetooth scanner, and scanning with the camera where the
// browser has the BarcodeDetector API.
(function () {
  "use strict";

  var body = document.body;

  // --- idle: 60 s without a touch or a key → the welcome screen, in the kiosk's own language ---
  var idleUrl = body.getAttribute("data-idle-url");
  if (idleUrl) {
    var idleMs = (parseInt(body.getAttribute("data-idle-seconds"), 10) || 60) * 1000;
    var idleTimer = null;
    var restartIdle = function () {
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(function () { window.location.replace(idleUrl); }, idleMs);
    };
    ["pointerdown", "touchstart", "keydown", "input", "scroll", "wheel"].forEach(function (name) {
      document.addEventListener(name, restartIdle, { capture: true, passive: true });
    });
    restartIdle();
  }

  // --- done screens go back by themselves after a few seconds ---
  var back = document.querySelector("[data-return-after]");
  if (back) {
    var seconds = parseInt(back.getAttribute("data-return-after"), 10) || 10;
    window.setTimeout(function () { window.location.replace(back.getAttribute("data-return-url")); }, seconds * 1000);
  }

  // --- one tap submits: a second tap while the next screen loads does nothing ---
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    window.setTimeout(function () { form.removeAttribute("data-sent"); }, 4000);
  });

  // --- scanning a code ---
  var form = document.querySelector("[data-scan-form]");
  if (!form) return;
  var input = form.querySelector("[data-scan-input]");

  // A hand-held scanner types into whatever has focus: keep it on the code box unless the visitor
  // is using another control.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("a, button, input, select, textarea, label")) input.focus();
  });

  var camera = form.querySelector("[data-camera]");
  var video = form.querySelector("[data-camera-video]");
  var start = form.querySelector("[data-camera-start]");
  var stream = null;

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
  }

  function found(code) {
    stopCamera();
    input.value = code;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  function watch(detector) {
    if (!stream) return;
    detector.detect(video).then(function (codes) {
      var qr = codes.filter(function (c) { return c.rawValue; })[0];
      if (qr) found(qr.rawValue);
      else window.setTimeout(function () { watch(detector); }, 250);
    }).catch(function () { window.setTimeout(function () { watch(detector); }, 500); });
  }

  function startCamera(detector) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false }).then(function (media) {
      stream = media;
      video.srcObject = media;
      camera.hidden = false;
      start.hidden = true;
      return video.play();
    }).then(function () { watch(detector); }).catch(function () {
      stopCamera();
      camera.hidden = true;
      start.hidden = true; // no camera, or permission refused: the scanner and the keyboard remain
    });
  }

  window.addEventListener("pagehide", stopCamera);

  if (start && "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) return;
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      start.hidden = false;
      start.addEventListener("click", function () { startCamera(detector); });
    }).catch(function () {});
  }
})();
