/*
 * GDPA Portal: progressive enhancements only.
 *
 * Without this file every page still works: the header menu is simply always
 * shown (its links wrap on small screens) and the toggle button stays hidden.
 */
(function () {
  "use strict";

  function initHeader(header) {
    var toggle = header.querySelector("[data-nav-toggle]");
    if (!toggle) {
      return;
    }
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }

    function isOpen() {
      return toggle.getAttribute("aria-expanded") === "true";
    }

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }

    // The collapsed state only applies once the toggle is usable.
    setOpen(false);
    toggle.hidden = false;
    header.classList.add("is-enhanced");

    toggle.addEventListener("click", function () {
      setOpen(!isOpen());
    });

    // Escape closes the open menu (only while the toggle is on screen) and
    // returns focus to the toggle.
    header.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !isOpen() || toggle.offsetParent === null) {
        return;
      }
      setOpen(false);
      toggle.focus();
    });
  }

  function init() {
    var headers = document.querySelectorAll(".site-header");
    for (var i = 0; i < headers.length; i++) {
      initHeader(headers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
