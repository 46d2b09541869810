// Move focus to the error summary when a page shows one, so screen readers announce it.
(function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
})();
