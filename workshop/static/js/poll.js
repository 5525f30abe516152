/* Polling a small state document, for the pupil's page, the presenter's console and the
   download page while the offline copy is built: an ETag makes an unchanged answer an empty 304, and a failed poll is simply tried
   again at the next turn (a phone's Wi-Fi drops for a moment). The document may ask for a
   slower pace with `poll` (seconds), as it does in a very large class. */
window.pollState = function (url, seconds, onState, waitFirst) {
  "use strict";
  var etag = null;

  function poll() {
    fetch(url, { headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) { return null; }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (!state) { return; }
        seconds = state.poll || seconds;
        onState(state);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }

  window.setTimeout(poll, waitFirst ? seconds * 1000 : 0);
};
