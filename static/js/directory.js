/*
 * Member directory: "Select all on this page" ticks the page's checkboxes in place
 * (without JavaScript the link reloads the page with every box ticked).
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-check-page]");
    if (!link) {
      return;
    }
    var form = link.closest("[data-bulk-form]");
    if (!form) {
      return;
    }
    event.preventDefault();
    var boxes = form.querySelectorAll('#results input[type="checkbox"]');
    var all = Array.prototype.every.call(boxes, function (box) {
      return box.checked;
    });
    Array.prototype.forEach.call(boxes, function (box) {
      box.checked = !all;
    });
    if (boxes.length) {
      boxes[0].focus();
    }
  });
})();
