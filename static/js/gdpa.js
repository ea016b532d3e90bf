/*
 * GDPA Portal: progressive enhancements only.
 *
 * Without this file every page still works: the header menu is simply always
 * shown (its links wrap on small screens) and the toggle button stays hidden,
 * and wide tables still scroll sideways (by mouse, touch or a focused control).
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

  // A table wider than the screen scrolls sideways inside its .table-wrap. The
  // keyboard can only scroll a box that takes focus (WCAG 2.1.1), so while it
  // overflows the wrapper is a focusable region named after the table; while
  // the table fits it stays out of the tab order.
  var captionCount = 0;

  function tableName(wrap) {
    var table = wrap.querySelector("table");
    if (!table) {
      return "";
    }
    var caption = table.querySelector("caption");
    if (caption) {
      if (!caption.id) {
        do {
          captionCount += 1;
          caption.id = "table-caption-" + captionCount;
        } while (document.querySelectorAll("#" + caption.id).length > 1);
      }
      return caption.id;
    }
    return table.getAttribute("aria-labelledby") || "";
  }

  function updateScrollRegion(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth) {
      var name = tableName(wrap);
      wrap.setAttribute("tabindex", "0");
      if (name) {
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-labelledby", name);
      }
    } else {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-labelledby");
    }
  }

  var resizeObserver =
    "ResizeObserver" in window
      ? new ResizeObserver(function (entries) {
          for (var i = 0; i < entries.length; i++) {
            updateScrollRegion(entries[i].target);
          }
        })
      : null;

  function initScrollRegions(root) {
    var wraps = root.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      updateScrollRegion(wraps[i]);
      if (resizeObserver) {
        resizeObserver.observe(wraps[i]);
      }
    }
  }

  function updateAllScrollRegions() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      updateScrollRegion(wraps[i]);
    }
  }

  function init() {
    var headers = document.querySelectorAll(".site-header");
    for (var i = 0; i < headers.length; i++) {
      initHeader(headers[i]);
    }

    initScrollRegions(document);
    if (!resizeObserver) {
      window.addEventListener("resize", updateAllScrollRegions);
    }
    // Tables that htmx swaps in (member lists, attendance, search results).
    document.addEventListener("htmx:load", function (event) {
      var elt = event.target;
      if (elt && elt.querySelectorAll) {
        if (elt.classList && elt.classList.contains("table-wrap")) {
          updateScrollRegion(elt);
          if (resizeObserver) {
            resizeObserver.observe(elt);
          }
        }
        initScrollRegions(elt);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/*
 * Staff workspace menu (a <details> disclosure that works without this file):
 * Escape closes it and returns focus to its summary; a click or focus outside
 * closes it, as a menu would.
 */
(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll("details[data-staff-menu][open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest && event.target.closest("details[data-staff-menu][open]");
    if (!menu) {
      return;
    }
    menu.open = false;
    menu.querySelector("summary").focus();
    // Handled here (capture phase): the header's own Escape, which closes the phone
    // menu, must not run too.
    event.stopPropagation();
  }, true);

  function closeOutside(event) {
    var menus = openMenus();
    for (var i = 0; i < menus.length; i++) {
      if (!menus[i].contains(event.target)) {
        menus[i].open = false;
      }
    }
  }

  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);
})();

/*
 * Buttons that answer (RSVP and other htmx controls): after htmx swaps a region in, the
 * keyboard focus moves to the region's message (rendered with data-focus-after-swap and
 * tabindex="-1") so it is read out and the person stays where they answered; the
 * message's region also carries aria-live. Without this file the form posts and the
 * page reloads with the message at the top.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function () {
    var message = document.querySelector("[data-focus-after-swap]");
    if (message) {
      message.removeAttribute("data-focus-after-swap");
      message.focus();
    }
  });
})();
