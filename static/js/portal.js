// Small behaviours on top of htmx: open swapped-in dialogs, close them, keep the CSRF header;
// and what keyboard and screen-reader users need (focus in dialogs, row counts said aloud).
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

  // The filter form asks for the list when a field changes, once a typed search pauses, and on
  // submit; after a typed search, leaving the box (change) or pressing Enter would ask again for
  // the list already shown or on its way, and that late swap could replace a link under the
  // user's next click. So a filter request is not sent when its query is the one in flight from
  // that form, or, with none in flight, the one in the address bar: hx-push-url puts there the
  // query of each list swapped in, a page is drawn for its own address, Back restores both, and
  // a request that failed (or met the busy dialog, which pushes nothing) leaves it as it was.
  // Anything else is asked for, a sort or page in the address included (Filter goes back to the
  // first page). On the address a page was drawn for, the form as drawn is that list too (its
  // defaults may say what the address leaves out, e.g. "active: unknown").
  var inFlight = new WeakMap();
  var drawn = new WeakMap();  // form -> [the address it was drawn for, its query as drawn]
  function normalized(params) {
    var pairs = [];
    params.forEach(function (value, key) { if (value !== "") { pairs.push(key + "=" + value); } });
    return pairs.sort().join("&");
  }
  function filterQuery(form) { return normalized(new URLSearchParams(new FormData(form))); }
  document.addEventListener("htmx:confirm", function (e) {
    var form = e.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches("form.filters")) { return; }
    var query = filterQuery(form);
    var current = inFlight.has(form) ? inFlight.get(form) : normalized(new URLSearchParams(location.search));
    var asDrawn = !inFlight.has(form) && drawn.has(form) && drawn.get(form)[0] === location.search ?
      drawn.get(form)[1] : null;
    if (query === current || query === asDrawn) { e.preventDefault(); }
  });
  function rememberDrawnFilters() {
    document.querySelectorAll("form.filters[hx-get]").forEach(function (form) {
      var copy = form.cloneNode(true);
      copy.reset();  // the values the page was drawn with, not any typed before this ran
      drawn.set(form, [location.search, filterQuery(copy)]);
    });
  }
  // Sent for real (htmx:confirm fires again when a queued request finally goes).
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (form instanceof HTMLFormElement && form.matches("form.filters")) { inFlight.set(form, filterQuery(form)); }
  });
  document.addEventListener("htmx:afterRequest", function (e) { inFlight.delete(e.detail.elt); });

  // Keyboard and screen readers. A dialog drawn into #modal gives the focus back to the button or
  // link that opened it when it closes (Escape, Cancel, Close), keeps Tab inside itself, and is
  // removed once closed.
  var opener = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.target && e.detail.target.id === "modal" && !e.detail.elt.closest("#modal")) { opener = e.detail.elt; }
  });
  document.addEventListener("close", function (e) {
    var dialog = e.target;
    // Closed in #modal, or already taken out of it by the Cancel handler above.
    if (!(dialog instanceof HTMLDialogElement) || (dialog.isConnected && !dialog.closest("#modal"))) { return; }
    dialog.remove();
    if (opener && opener.isConnected) { opener.focus(); }
    opener = null;
  }, true);
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), " +
    "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  document.addEventListener("keydown", function (e) {
    var dialog = e.key === "Tab" && document.querySelector("#modal dialog[open]");
    if (!dialog) { return; }
    var items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) { return el.offsetParent !== null; });
    if (!items.length) { return; }
    var first = items[0], last = items[items.length - 1];
    if (!dialog.contains(document.activeElement)) { e.preventDefault(); first.focus(); }
    else if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
  // A list redrawn by htmx (filter, search, sort, page) says its new row count in a live region
  // that stays on the page (#live-status in base.html): a region swapped in with the list would
  // not be announced.
  function announce(text) {
    var live = document.getElementById("live-status");
    if (!live) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    var count = document.getElementById("row-count");
    if (count && e.detail.target && e.detail.target.id !== "modal" && !e.detail.target.closest("#modal")) {
      announce(count.textContent.trim());
    }
    focusableScrollers();
  });
  // A table wider than its box scrolls sideways inside it: keyboard users reach it with Tab and
  // scroll it with the arrow keys.
  function focusableScrollers() {
    document.querySelectorAll(".table-scroll, .content table.table").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(box).overflowX);
      if (scrolls && !box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      if (!scrolls && box.getAttribute("tabindex") === "0") { box.removeAttribute("tabindex"); }
    });
  }
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("DOMContentLoaded", function () { openDialogs(document); rememberDrawnFilters(); submitEditedFilters(); focusableScrollers(); });
})();
