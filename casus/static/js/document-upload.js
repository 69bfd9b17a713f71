/* Document uploads with a progress bar. Progressive enhancement: the form is a plain multipart POST that works
   without scripts. With scripts, the same request goes through XMLHttpRequest so the <progress> element can follow
   the upload; a status line (role="status", aria-live="polite") says how far it is in words, at most every ten
   percent so that a screen reader is not flooded. A saved upload answers with the address to go to
   (X-Casus-Location), where the confirmation is shown as after a plain POST; a refused one answers the page with
   the form and its messages, whose main part replaces this one's, focus on the summary of what to correct. */
(function () {
  "use strict";

  function say(status, name, percent) {
    status.textContent = status.getAttribute(name).replace("{percent}", String(percent || 0));
  }

  function showAnswer(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main");
    var newMain = answer.querySelector("main");
    if (!main || !newMain) {
      document.documentElement.innerHTML = answer.documentElement.innerHTML;
      return;
    }
    main.innerHTML = newMain.innerHTML;
    setUp();
    var summary = main.querySelector(".casus-error-summary, .utrecht-alert");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }

  function enhance(form) {
    var bar = form.querySelector("progress");
    var holder = form.querySelector(".casus-upload-progress");
    var status = form.querySelector(".casus-upload-status");
    if (!bar || !holder || !status || !window.FormData || !window.XMLHttpRequest || form.casusEnhanced) {
      return;
    }
    form.casusEnhanced = true;
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      var spoken = -1;
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable) {
          return;
        }
        var percent = Math.floor((progress.loaded / progress.total) * 100);
        bar.value = percent;
        if (Math.floor(percent / 10) > Math.floor(spoken / 10)) {
          spoken = percent;
          say(status, "data-uploading", percent);
        }
      });
      request.upload.addEventListener("load", function () {
        bar.value = 100;
        say(status, "data-checking");
      });
      request.addEventListener("load", function () {
        var location = request.getResponseHeader("X-Casus-Location");
        if (location) {
          window.location.assign(location);
        } else {
          showAnswer(request.responseText);
        }
      });
      request.addEventListener("error", function () {
        say(status, "data-failed");
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
