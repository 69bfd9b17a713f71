/* Fills in straat and woonplaats from postcode and huisnummer (GET /adres-opzoeken, the BAG through PDOK when the
   installation has it on). Progressive enhancement: without this script, or without the fields, or when the lookup
   finds nothing, the form works as before and the user types them. A value the user typed is never overwritten;
   only a value this script filled in is replaced when the postcode or huisnummer changes. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = (script && script.dataset.lookupUrl) || "/adres-opzoeken";
  var filledMessage = (script && script.dataset.filledMessage) || "";
  var POSTCODE = /^\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s*$/;
  var HUISNUMMER = /^\s*[0-9]{1,5}\s*$/;

  function setUp() {
    var postcode = document.getElementById("postcode");
    var huisnummer = document.getElementById("huisnummer");
    var straat = document.getElementById("straat");
    var woonplaats = document.getElementById("woonplaats");
    if (!postcode || !huisnummer || !straat || !woonplaats || !window.fetch) {
      return; // not a form with an address: nothing to do
    }
    var toevoeging = document.getElementById("toevoeging");
    var status = document.createElement("p");
    status.className = "utrecht-form-field-description";
    status.setAttribute("role", "status");
    woonplaats.insertAdjacentElement("afterend", status);
    var timer = null;
    var asked = "";

    function mayFill(input) {
      return input.value.trim() === "" || input.dataset.filledByLookup === input.value;
    }

    function fill(input, value) {
      input.value = value;
      input.dataset.filledByLookup = value;
    }

    function lookUp() {
      var code = postcode.value;
      var number = huisnummer.value;
      if (!POSTCODE.test(code) || !HUISNUMMER.test(number)) {
        return;
      }
      if (!mayFill(straat) && !mayFill(woonplaats)) {
        return;
      }
      var query = "postcode=" + encodeURIComponent(code.trim()) + "&huisnummer=" + encodeURIComponent(number.trim());
      if (toevoeging && toevoeging.value.trim()) {
        query += "&toevoeging=" + encodeURIComponent(toevoeging.value.trim());
      }
      if (query === asked) {
        return;
      }
      asked = query;
      fetch(url + "?" + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (found) {
          if (!found || !found.straat || !found.woonplaats || query !== asked) {
            return;
          }
          if (mayFill(straat)) { fill(straat, found.straat); }
          if (mayFill(woonplaats)) { fill(woonplaats, found.woonplaats); }
          status.textContent = filledMessage;
        })
        .catch(function () { /* no suggestion: the user types them */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 400);
    }

    [postcode, huisnummer, toevoeging].forEach(function (input) {
      if (input) {
        input.addEventListener("input", later);
        input.addEventListener("change", lookUp);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
}());
