/* The Betrokkenen tab's add form: show only the fieldsets that belong to the chosen kind of subject (each fieldset
   names its kinds in data-kinds). Progressive enhancement: without this script every fieldset shows, each says for
   which kind it is, and the server checks the fields of the kind that was chosen. */
(function () {
  "use strict";

  function setUp(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) {
      return;
    }
    var fieldsets = form.querySelectorAll("fieldset[data-kinds]");

    function show() {
      fieldsets.forEach(function (fieldset) {
        var applies = fieldset.dataset.kinds.split(" ").indexOf(kind.value) !== -1;
        fieldset.hidden = !applies;
        fieldset.style.display = applies ? "" : "none"; // the fieldset class sets a display of its own
        fieldset.disabled = !applies; // a hidden field is not sent, so no stale value from another kind is checked
      });
    }

    kind.addEventListener("change", show);
    show();
  }

  function start() {
    document.querySelectorAll("form.casus-subject-form").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
