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

  // htmx error responses. base.html configures htmx to swap the regions a view answers
  // with a notice (422 refused, 403 not allowed). Anything else (a 404 or 5xx, a whole
  // error page, a lost connection) never replaces a region: a message in the page's
  // language (data-error-* on <body>) appears next to the control instead.
  var WHOLE_PAGE = /^\s*<!doctype|<html[\s>]|<body[\s>]/i;

  function errorText(status) {
    var data = document.body.dataset;
    if (!status) {
      return data.errorNetwork;
    }
    if (status === 401 || status === 403) {
      return data.errorForbidden;
    }
    if (status === 404 || status === 410) {
      return data.errorNotFound;
    }
    if (status >= 500) {
      return data.errorServer;
    }
    return data.errorOther;
  }

  function clearErrors() {
    var old = document.querySelectorAll("[data-htmx-error]");
    for (var i = 0; i < old.length; i++) {
      old[i].parentNode.removeChild(old[i]);
    }
  }

  function showError(elt, status) {
    clearErrors();
    var box = document.createElement("p");
    box.className = "alert alert--error htmx-error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-htmx-error", "");
    box.textContent = errorText(status) || document.body.dataset.errorOther || "";
    if (elt && document.body.contains(elt) && elt !== document.body) {
      elt.insertAdjacentElement("afterend", box);
    } else {
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
  }

  function initHtmxErrors() {
    document.addEventListener("htmx:beforeRequest", clearErrors);
    document.addEventListener("htmx:beforeSwap", function (event) {
      var detail = event.detail;
      var xhr = detail.xhr;
      var response = typeof detail.serverResponse === "string" ? detail.serverResponse : "";
      var target = detail.target;
      if (
        detail.shouldSwap &&
        target !== document.body &&
        WHOLE_PAGE.test(response.slice(0, 1000))
      ) {
        // A whole page (an error page, or a sign-in page after a redirect) is not a region.
        detail.shouldSwap = false;
        if (xhr.status < 400) {
          showError(detail.requestConfig && detail.requestConfig.elt, -1);
        }
      }
      xhr.gdpaSwapped = detail.shouldSwap;
    });
    document.addEventListener("htmx:responseError", function (event) {
      var xhr = event.detail.xhr;
      if (!xhr.gdpaSwapped) {
        showError(event.detail.elt, xhr.status);
      }
    });
    document.addEventListener("htmx:sendError", function (event) {
      showError(event.detail.elt, 0);
    });
    document.addEventListener("htmx:timeout", function (event) {
      showError(event.detail.elt, 0);
    });
  }

  // A session's time in the reader's own zone, when the browser tells it
  // (data-local-time="<ISO UTC>"); the server shows the session's own zone first.
  function initLocalTimes(root) {
    if (!window.Intl || !Intl.DateTimeFormat) {
      return;
    }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // The page's language, in the reader's regional variant when it is the same language.
    var lang = document.documentElement.lang || undefined;
    var own = navigator.language || "";
    if (lang && own.split("-")[0] === lang) {
      lang = own;
    }
    var boxes = root.querySelectorAll("[data-local-time]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var start = new Date(box.getAttribute("data-local-time"));
      if (!zone || isNaN(start.getTime()) || zone === box.getAttribute("data-session-zone")) {
        continue;
      }
      var text = new Intl.DateTimeFormat(lang, {
        weekday: "long",
        day: "numeric",
        month: "long",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(start);
      var endValue = box.getAttribute("data-local-time-end");
      var end = endValue ? new Date(endValue) : null;
      if (end && !isNaN(end.getTime())) {
        text +=
          "–" + new Intl.DateTimeFormat(lang, {
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
          }).format(end);
      }
      var slot = box.querySelector("[data-local-time-value]") || box;
      slot.textContent = text + " (" + zone.replace(/_/g, " ") + ")";
      box.hidden = false;
    }
  }

  function init() {
    initHtmxErrors();
    initLocalTimes(document);

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
