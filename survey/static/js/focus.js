// Small enhancements for survey pages; every page works without them.
(function () {
  "use strict";
  // Move focus to the error summary when a page shows one, so screen readers announce it.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // A second press of "Submit" would reach the server after the code was spent and show
  // a refusal instead of the thank-you page: send the form once.
  var forms = document.querySelectorAll("form[data-submit-once]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "true");
    });
  });
})();
