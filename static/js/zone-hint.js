/*
 * GDPA Portal: the hint under a session's start and end names the time zone they are in
 * ("For example 25/12/2027 14:30, in Fiji Time (Pacific/Fiji)."). The server writes it
 * for the zone the page was shown with; this keeps it in step when the zone select
 * changes. Options read "Fiji Time — Pacific/Fiji"; the hint shows "Fiji Time (Pacific/Fiji)".
 * Without this file the hint still names the zone the form was last shown with.
 */
(function () {
  "use strict";

  function zoneText(select) {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) {
      return "";
    }
    var label = (option.textContent || "").trim();
    var suffix = " — " + option.value;
    if (label.slice(-suffix.length) === suffix) {
      return label.slice(0, -suffix.length) + " (" + option.value + ")";
    }
    return label;
  }

  function init() {
    var hints = document.querySelectorAll("[data-zone-hint]");
    var selects = [];
    Array.prototype.forEach.call(hints, function (hint) {
      var select = document.getElementById(hint.getAttribute("data-zone-hint"));
      if (select && select.tagName === "SELECT" && selects.indexOf(select) === -1) {
        selects.push(select);
        select.addEventListener("change", function () {
          var text = zoneText(select);
          if (!text) {
            return;
          }
          var selector = '[data-zone-hint="' + select.id + '"]';
          Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
            el.textContent = text;
          });
        });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
