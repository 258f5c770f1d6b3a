// Small behaviours on top of htmx: open swapped-in dialogs, close them, keep the CSRF header.
(function () {
  function openDialogs(root) {
    (root || document).querySelectorAll("dialog:not([open])").forEach(function (d) {
      if (d.closest("#modal")) { d.showModal(); }
    });
  }
  document.addEventListener("htmx:afterSwap", function (e) { openDialogs(e.detail.target); });
  // A busy database answers 503 with a dialog for #modal (common/busy.py): show it, not nothing.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 503 && e.detail.xhr.getResponseHeader("HX-Retarget") === "#modal") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("click", function (e) {
    var closer = e.target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog && dialog.closest("#modal")) { e.preventDefault(); dialog.close(); dialog.remove(); }
    }
    var selectAll = e.target.closest("[data-select-all]");
    if (selectAll) {
      var form = selectAll.closest("form") || document;
      form.querySelectorAll("input[type=checkbox][name='" + selectAll.dataset.selectAll + "']:not([disabled])")
        .forEach(function (box) { box.checked = selectAll.checked; });
    }
  });
  // A filter typed before htmx bound the page (a fast typist, or a form the browser restored on
  // Back) would leave the list unfiltered under a filled-in form: send it once htmx listens.
  function edited(field) {
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return field.value !== field.defaultValue;
  }
  function submitEditedFilters() {
    document.querySelectorAll("form.filters[hx-get]").forEach(function (form) {
      if (Array.prototype.some.call(form.elements, function (f) { return f.name && edited(f); })) {
        htmx.trigger(form, "submit");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { openDialogs(document); submitEditedFilters(); });
})();
