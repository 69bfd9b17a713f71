/* Document uploads with a progress bar. Progressive enhancement: the form is a plain multipart POST that works
   without scripts. With scripts, the same request goes through XMLHttpRequest so the <progress> element can follow
   the upload; a status line (role="status", aria-live="polite") says how far it is in words, at most every ten
   percent so a screen reader is not flooded. The server's answer — the page after the redirect, or the form again
   with its messages at the fields — replaces the page, exactly as without scripts. */
(function () {
  "use strict";

  function enhance(form) {
    var bar = form.querySelector("progress");
    var holder = form.querySelector(".casus-upload-progress");
    var status = form.querySelector(".casus-upload-status");
    if (!bar || !status || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      var spoken = -1;
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable) {
          return;
        }
        var percent = Math.floor((progress.loaded / progress.total) * 100);
        bar.value = percent;
        if (percent === 100 || Math.floor(percent / 10) > Math.floor(spoken / 10)) {
          spoken = percent;
          status.textContent = status.getAttribute("data-uploading").replace("{percent}", String(percent));
        }
      });
      request.upload.addEventListener("load", function () {
        status.textContent = status.getAttribute("data-checking");
      });
      request.addEventListener("load", function () {
        // The answer is a whole page (the list after the redirect, or the form with its messages).
        if (request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        status.textContent = status.getAttribute("data-failed");
        if (button) {
          button.disabled = false;
        }
      });
      holder.hidden = false;
      bar.value = 0;
      if (button) {
        button.disabled = true;
      }
      request.send(new FormData(form));
    });
  }

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload-progress]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
