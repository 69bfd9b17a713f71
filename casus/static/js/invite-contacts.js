/* The invite form of the partners page: the "Contactpersoon" select shows only the users of the organisation
   chosen above it. Progressive enhancement: the server renders every candidate's users in an optgroup per
   organisation (each option carries data-organisation) until an organisation is chosen, and refuses a contact of
   another organisation; this script only hides the other organisations' options, and clears a choice that no
   longer fits. Without an organisation chosen, no contact is offered. */
(function () {
  "use strict";

  function setUp() {
    var organisation = document.getElementById("organisation_id");
    var contact = document.getElementById("contact_user_id");
    if (!organisation || !contact) {
      return;
    }

    function filter() {
      var chosen = organisation.value;
      Array.prototype.forEach.call(contact.querySelectorAll("option[data-organisation]"), function (option) {
        var fits = chosen !== "" && option.getAttribute("data-organisation") === chosen;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) {
          contact.value = "";
        }
      });
      Array.prototype.forEach.call(contact.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    }

    organisation.addEventListener("change", filter);
    filter();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
