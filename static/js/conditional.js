// Conditional form fields: a field wrapped in [data-show-when-field="key"][data-show-when-value="v"] is shown
// only while the field named "key" has the value "v" (a choice's key; "yes" or "no" for a checkbox). A hidden
// field's inputs are disabled, so that the browser sends nothing for them; the server applies the same rule
// (procedures.forms.shown_keys) and neither checks nor stores a hidden field. Without JavaScript every field
// is shown and the server still ignores the ones whose condition is not met.
(function () {
  "use strict";
  var dependents = Array.prototype.slice.call(document.querySelectorAll("[data-show-when-field]"));
  if (!dependents.length) {
    return;
  }
  var form = dependents[0].closest("form");

  function valueOf(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      if (input.disabled) {
        return null; // its own condition hides it: it has no value
      }
      if (input.type === "checkbox") {
        return input.checked ? "yes" : "no";
      }
      if (input.type === "radio") {
        if (input.checked) {
          return input.value;
        }
        continue;
      }
      return input.value;
    }
    return null;
  }

  function update() {
    // Document order is the form's order, so a chain of conditions settles in one pass.
    dependents.forEach(function (wrapper) {
      var shown = valueOf(wrapper.getAttribute("data-show-when-field")) === wrapper.getAttribute("data-show-when-value");
      wrapper.hidden = !shown;
      Array.prototype.forEach.call(wrapper.querySelectorAll("input, select, textarea"), function (input) {
        input.disabled = !shown || input.hasAttribute("data-locked");
      });
    });
  }

  form.addEventListener("change", update);
  update();
})();
