// Invitation links carry the code after '#', which browsers never send to a server.
// Copy it into the form (it then travels only in the POST body) and drop it from the
// address bar and the history entry. Without JavaScript the person types the code.
(function () {
  "use strict";
  var fragment = window.location.hash.replace(/^#/, "");
  var input = document.getElementById("code");
  // In-page links (the skip link's #main, say) are not codes.
  if (!fragment || !input || document.getElementById(fragment)) { return; }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  try { fragment = decodeURIComponent(fragment); } catch (error) { /* keep it as typed */ }
  input.value = fragment.trim().slice(0, 200);
  var status = document.getElementById("code-from-link");
  if (status) { status.hidden = false; }
})();
