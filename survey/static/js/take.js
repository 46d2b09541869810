// Invitation links carry the code after '#', which browsers never send to a server.
// Copy it into the form (it then travels only in the POST body) and drop it from the
// address bar and history. Without JavaScript the person types the code instead.
(function () {
  var code = decodeURIComponent(window.location.hash.replace(/^#/, "")).trim();
  var input = document.getElementById("code");
  if (!code || !input) { return; }
  input.value = code;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  var start = document.getElementById("start");
  if (start) { start.focus(); }
})();
