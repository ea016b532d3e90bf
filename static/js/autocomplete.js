/*
 * GDPA Portal: country pickers (gdpa.portal.widgets.CountrySelectMultiple).
 *
 * The server renders a plain <select multiple> that works without JavaScript. This
 * file enhances it with GOV.UK's accessible autocomplete (vendored in
 * static/vendor/accessible-autocomplete-3.0.1, single-select by design) in the
 * "add to a list" pattern:
 *
 *   - the text input takes over the select's id, so the field's <label for> names it;
 *   - typing "Fij" lists matching countries (accent- and case-insensitive, names
 *     starting with the text first); arrows and Enter, a tap or a click choose one;
 *   - each chosen country is a button "Fiji ×" named "Remove Fiji" in a list below;
 *   - additions and removals are announced in a polite live region;
 *   - the original select stays in the form (hidden) and carries the chosen values.
 *
 * Its words come translated from the widget (data-autocomplete-texts).
 */
(function () {
  "use strict";

  function format(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function fold(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .trim();
  }

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function labelOf(option) {
    return (option.textContent || "").trim();
  }

  function enhance(select) {
    var wrapper = select.closest(".autocomplete-multi");
    if (!wrapper || select.hasAttribute("data-autocomplete-ready") || !select.id) {
      return;
    }
    var texts = JSON.parse(wrapper.getAttribute("data-autocomplete-texts") || "{}");
    var id = select.id;
    var options = Array.prototype.filter.call(select.options, function (option) {
      return option.value;
    });
    var byLabel = {};
    options.forEach(function (option) {
      byLabel[labelOf(option)] = option;
    });

    // The field's help and error texts describe the new input as they described the select.
    var describedBy = [id + "_helptext", id + "_error"]
      .map(function (describedId) {
        var element = document.getElementById(describedId);
        return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
      })
      .filter(Boolean);
    var invalid = select.getAttribute("aria-invalid") === "true";

    select.setAttribute("data-autocomplete-ready", "");
    select.id = id + "-select";
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    var note = wrapper.querySelector(".autocomplete-multi__nojs");
    if (note) {
      note.hidden = true;
    }

    var inputContainer = document.createElement("div");
    inputContainer.className = "autocomplete-multi__input";
    var chosenList = document.createElement("ul");
    chosenList.className = "autocomplete-multi__chosen";
    chosenList.setAttribute("role", "list");
    chosenList.setAttribute("aria-label", texts.chosen || "");
    var none = document.createElement("p");
    none.className = "autocomplete-multi__none";
    none.textContent = texts.noneChosen || "";
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    status.setAttribute("role", "status");
    wrapper.appendChild(inputContainer);
    wrapper.appendChild(chosenList);
    wrapper.appendChild(none);
    wrapper.appendChild(status);

    var announceTimer = null;
    function announce(message) {
      // Emptied first so the same words are read again for a second, identical change.
      status.textContent = "";
      window.clearTimeout(announceTimer);
      announceTimer = window.setTimeout(function () {
        status.textContent = message;
      }, 100);
    }

    function input() {
      return document.getElementById(id);
    }

    function renderChosen(focusIndex) {
      chosenList.textContent = "";
      var chosen = options.filter(function (option) {
        return option.selected;
      });
      chosen.forEach(function (option) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "chip";
        button.setAttribute("aria-label", format(texts.remove || "%(country)s", { country: labelOf(option) }));
        button.appendChild(document.createTextNode(labelOf(option) + " "));
        var cross = document.createElement("span");
        cross.className = "chip__remove";
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "×";
        button.appendChild(cross);
        button.addEventListener("click", function () {
          var index = chosen.indexOf(option);
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          renderChosen(index);
          announce(format(texts.removed || "%(country)s", { country: labelOf(option) }));
        });
        item.appendChild(button);
        chosenList.appendChild(item);
      });
      chosenList.hidden = chosen.length === 0;
      none.hidden = chosen.length !== 0;
      if (typeof focusIndex === "number") {
        var buttons = chosenList.querySelectorAll("button");
        var target = buttons[Math.min(focusIndex, buttons.length - 1)] || input();
        if (target) {
          target.focus();
        }
      }
    }

    function source(query, populateResults) {
      var folded = fold(query);
      if (!folded) {
        populateResults([]);
        return;
      }
      var starts = [];
      var words = [];
      var inside = [];
      options.forEach(function (option) {
        if (option.selected) {
          return;
        }
        var label = labelOf(option);
        var name = fold(label);
        if (name.indexOf(folded) === 0) {
          starts.push(label);
        } else if (name.indexOf(" " + folded) !== -1 || name.indexOf("(" + folded) !== -1) {
          words.push(label);
        } else if (name.indexOf(folded) !== -1) {
          inside.push(label);
        }
      });
      populateResults(starts.concat(words, inside));
    }

    function onConfirm(label) {
      var option = label && byLabel[label];
      if (!option || option.selected) {
        return;
      }
      option.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      renderChosen();
      announce(format(texts.added || "%(country)s", { country: label }));
    }

    window.accessibleAutocomplete({
      element: inputContainer,
      id: id,
      name: "",
      source: source,
      onConfirm: onConfirm,
      autoselect: true,
      confirmOnBlur: false,
      displayMenu: "inline",
      showNoOptionsFound: true,
      templates: {
        // A chosen country goes to the list below; the input is emptied for the next one.
        inputValue: function () {
          return "";
        },
        suggestion: function (label) {
          return escapeHtml(label || "");
        },
      },
      tNoResults: function () {
        return texts.noResults;
      },
      tStatusNoResults: function () {
        return texts.statusNoResults;
      },
      tStatusSelectedOption: function (option, length, index) {
        return format(texts.statusSelected, { option: option, position: index + 1, count: length });
      },
      tStatusResults: function (length, selectedOption) {
        var template = length === 1 ? texts.statusResultsOne : texts.statusResultsOther;
        return format(template, { count: length }) + " " + selectedOption;
      },
      tAssistiveHint: function () {
        return describedBy.concat([texts.assistiveHint]).join(" ");
      },
    });

    var field = input();
    if (field) {
      // Enter with text typed chooses a suggestion (the component's own handler) and never
      // sends the form, even when pressed before the suggestions appear.
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && field.value.trim() !== "") {
          event.preventDefault();
        }
      });
      field.setAttribute("autocomplete", "off");
      if (invalid) {
        field.setAttribute("aria-invalid", "true");
      }
    }
    renderChosen();
  }

  function init(root) {
    if (typeof window.accessibleAutocomplete !== "function") {
      return; // the plain select stays: it works on its own
    }
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("select[data-autocomplete-multiple]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  // Forms swapped in by htmx are enhanced too.
  document.addEventListener("htmx:load", function (event) {
    init(event.detail && event.detail.elt);
  });
})();
