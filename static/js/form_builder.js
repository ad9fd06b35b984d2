// The form builder in the procedure's admin page (procedures/form_builder.py). Without JavaScript the rows
// are all open, ordered by their "order" numbers, and the preview button still posts the page into the frame.
// With it:
// - each field row is collapsed to a summary line (label, key, type) with a "Details" toggle (aria-expanded);
//   new rows and rows with errors open;
// - rows move with "Move up"/"Move down" buttons (keyboard) or by dragging their title (mouse, touch pads);
//   the hidden "order" inputs are renumbered 10, 20, … and the move is announced (aria-live);
// - the preview refreshes itself a moment after each change, in the language chosen beside it.
// The admin loads its media in the head: the work starts once the page is parsed.
function formBuilderStart() {
  "use strict";
  var group = document.getElementById("form_fields-group");
  if (!group) {
    return;
  }
  var form = group.closest("form");
  var previewButton = document.getElementById("form-preview-button");
  var previewLanguage = document.getElementById("preview-language");
  // The words come translated from the page (templates/admin/procedures/procedure/change_form.html).
  var words = document.getElementById("form-builder-strings") || document.createElement("div");
  var strings = {
    details: words.getAttribute("data-details") || "Details",
    up: words.getAttribute("data-up") || "Move up",
    down: words.getAttribute("data-down") || "Move down",
    moved: words.getAttribute("data-moved") || "Moved to position {position} of {count}.",
    language: words.getAttribute("data-default") || "en"
  };
  var announcer = document.createElement("p");
  announcer.className = "fb-announcer";
  announcer.setAttribute("aria-live", "polite");
  group.insertBefore(announcer, group.firstChild);
  group.classList.add("fb-enhanced");

  function rows() {
    return Array.prototype.slice.call(group.querySelectorAll(".inline-related")).filter(function (row) {
      return !row.classList.contains("empty-form");
    });
  }

  function field(row, suffix) {
    return row.querySelector('[name$="-' + suffix + '"]');
  }

  function renumber() {
    rows().forEach(function (row, index) {
      var order = field(row, "order");
      if (order) {
        order.value = String((index + 1) * 10);
      }
    });
  }

  function summary(row) {
    var label = row.querySelector('[name$="-label_' + strings.language + '"]') ||
      row.querySelector('[name*="-label"]');
    var key = field(row, "key");
    var type = field(row, "field_type");
    var parts = [];
    if (label && label.value) { parts.push(label.value); }
    if (key && key.value) { parts.push("(" + key.value + ")"); }
    if (type && type.selectedIndex >= 0) { parts.push("· " + type.options[type.selectedIndex].text); }
    return parts.join(" ");
  }

  function announce(row) {
    var all = rows();
    announcer.textContent = strings.moved
      .replace("{position}", String(all.indexOf(row) + 1))
      .replace("{count}", String(all.length));
  }

  function move(row, direction) {
    var all = rows();
    var index = all.indexOf(row);
    var target = all[index + direction];
    if (!target) {
      return;
    }
    if (direction < 0) {
      target.parentNode.insertBefore(row, target);
    } else {
      target.parentNode.insertBefore(row, target.nextSibling);
    }
    renumber();
    announce(row);
    schedulePreview();
  }

  function setOpen(row, open) {
    row.classList.toggle("fb-collapsed", !open);
    var toggle = row.querySelector(".fb-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  }

  var dragged = null;

  function enhance(row, open) {
    if (row.getAttribute("data-fb") === "1") {
      return;
    }
    row.setAttribute("data-fb", "1");
    var heading = row.querySelector("h3");
    var bar = document.createElement("div");
    bar.className = "fb-toolbar";
    var title = document.createElement("span");
    title.className = "fb-summary";
    title.textContent = summary(row);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "fb-toggle";
    toggle.textContent = strings.details;
    var up = document.createElement("button");
    up.type = "button";
    up.className = "fb-up";
    up.textContent = "↑";
    var down = document.createElement("button");
    down.type = "button";
    down.className = "fb-down";
    down.textContent = "↓";
    function names() {
      var text = summary(row) || "";
      toggle.setAttribute("aria-label", strings.details + ": " + text);
      up.setAttribute("aria-label", strings.up + ": " + text);
      down.setAttribute("aria-label", strings.down + ": " + text);
      title.textContent = text;
    }
    names();
    toggle.addEventListener("click", function () {
      setOpen(row, row.classList.contains("fb-collapsed"));
    });
    up.addEventListener("click", function () { move(row, -1); up.focus(); });
    down.addEventListener("click", function () { move(row, 1); down.focus(); });
    row.addEventListener("input", names);
    row.addEventListener("change", names);
    bar.appendChild(title);
    bar.appendChild(toggle);
    bar.appendChild(up);
    bar.appendChild(down);
    heading.parentNode.insertBefore(bar, heading.nextSibling);

    // Dragging by the title bar; the buttons do the same from the keyboard.
    bar.setAttribute("draggable", "true");
    bar.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("fb-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id);
    });
    bar.addEventListener("dragend", function () {
      row.classList.remove("fb-dragging");
      dragged = null;
    });
    row.addEventListener("dragover", function (event) {
      if (dragged && dragged !== row) {
        event.preventDefault();
      }
    });
    row.addEventListener("drop", function (event) {
      if (!dragged || dragged === row) {
        return;
      }
      event.preventDefault();
      var all = rows();
      var before = all.indexOf(dragged) > all.indexOf(row) ? row : row.nextSibling;
      row.parentNode.insertBefore(dragged, before);
      renumber();
      announce(dragged);
      schedulePreview();
    });
    setOpen(row, open || !!row.querySelector(".errorlist"));
  }

  var timer = null;
  function schedulePreview() {
    if (!previewButton) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { previewButton.click(); }, 700);
  }

  rows().forEach(function (row) { enhance(row, false); });
  document.addEventListener("formset:added", function (event) {
    if (event.detail && event.detail.formsetName === "form_fields") {
      var row = event.target;
      enhance(row, true);
      renumber();
      schedulePreview();
    }
  });
  if (form) {
    form.addEventListener("input", schedulePreview);
    form.addEventListener("change", schedulePreview);
  }
  if (previewLanguage) {
    previewLanguage.addEventListener("change", schedulePreview);
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", formBuilderStart);
} else {
  formBuilderStart();
}
