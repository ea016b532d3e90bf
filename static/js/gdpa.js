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

/*
 * Error summary (GOV.UK pattern, templates/components/error_summary.html): focus
 * moves to it when the page loads and when htmx swaps one in, so that screen
 * readers read the problems first. Its links move focus to the field (and scroll
 * its label or legend into view); without this file they still jump to it.
 */
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root.querySelector && root.querySelector("[data-error-summary]");
    if (!summary && root.matches && root.matches("[data-error-summary]")) {
      summary = root;
    }
    if (summary) {
      summary.focus();
    }
  }

  function labelFor(input) {
    var fieldset = input.closest("fieldset");
    if (fieldset && (input.type === "checkbox" || input.type === "radio")) {
      var legend = fieldset.querySelector("legend");
      if (legend) {
        return legend;
      }
    }
    return (input.id && document.querySelector("label[for='" + input.id + "']")) || input;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) {
      return;
    }
    event.preventDefault();
    var details = input.closest("details");
    if (details) {
      details.open = true;
    }
    labelFor(input).scrollIntoView();
    input.focus({ preventScroll: true });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      focusSummary(document);
    });
  } else {
    focusSummary(document);
  }

  // Content htmx swapped in (a form sent back with its errors).
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) {
      focusSummary(event.target);
    }
  });
})();

/*
 * Session agenda rows (alliance/templates/alliance/sessions/form.html): "Add an
 * agenda item" clones the row <template> in place (the formset's next index,
 * TOTAL_FORMS one more) and each row's "Remove this item" box becomes a "Remove"
 * button that ticks it and hides the row. Without this file "Add an agenda item"
 * submits the form, which comes back with one more row and nothing lost, and the
 * boxes are ticked by hand.
 */
(function () {
  "use strict";

  function announce(agenda, key) {
    var status = agenda.querySelector("[data-agenda-status]");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = status.getAttribute("data-" + key) || "";
      }, 50);
    }
  }

  function enhanceRow(agenda, row, label) {
    var remove = row.querySelector("[data-agenda-remove]");
    var box = remove && remove.querySelector("input[type='checkbox']");
    if (!box || remove.querySelector("button")) {
      return;
    }
    if (box.checked) {
      row.hidden = true;
    }
    remove.querySelector(".field").hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn--link btn--small";
    button.textContent = label;
    var title = row.querySelector("input[name$='-title']");
    button.addEventListener("click", function () {
      box.checked = true;
      row.hidden = true;
      announce(agenda, "removed");
      var add = agenda.querySelector("[data-agenda-add]");
      if (add) {
        add.focus();
      }
    });
    if (title) {
      // "Remove" names the item it removes for screen readers.
      var update = function () {
        button.setAttribute("aria-label", label + (title.value ? " " + title.value : ""));
      };
      title.addEventListener("input", update);
      update();
    }
    remove.appendChild(button);
  }

  function enhanceAgenda(agenda) {
    var add = agenda.querySelector("[data-agenda-add]");
    var template = agenda.querySelector("template[data-agenda-template]");
    var list = agenda.querySelector("[data-agenda-list]");
    var total = agenda.querySelector("input[name$='-TOTAL_FORMS']");
    var max = agenda.querySelector("input[name$='-MAX_NUM_FORMS']");
    if (!add || !template || !list || !total) {
      return;
    }
    var label = add.getAttribute("data-remove-label") || "Remove";
    var rows = list.querySelectorAll("[data-agenda-row]");
    for (var i = 0; i < rows.length; i++) {
      enhanceRow(agenda, rows[i], label);
    }
    add.type = "button";
    add.removeAttribute("name");
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var limit = max ? parseInt(max.value, 10) : NaN;
      if (!isNaN(limit) && index >= limit) {
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("[data-agenda-row]");
      list.appendChild(row);
      total.value = String(index + 1);
      enhanceRow(agenda, row, label);
      if (!isNaN(limit) && index + 1 >= limit) {
        add.hidden = true;
      }
      announce(agenda, "added");
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  }

  function init() {
    var agendas = document.querySelectorAll("[data-agenda]");
    for (var i = 0; i < agendas.length; i++) {
      enhanceAgenda(agendas[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
