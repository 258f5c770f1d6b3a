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
  document.addEventListener("DOMContentLoaded", function () { openDialogs(document); });
})();
