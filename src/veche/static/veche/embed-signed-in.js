// The sign-in pop-up's last page: hand the embed frame (our own origin) its token.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("veche-message").textContent);
  var status = document.getElementById("v-signed-in-status");
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(data, window.location.origin);
    status.textContent = "Signed in. Going back to the discussion…";
    window.close();
  }
})();
