/* Following a small state document, for the stage, the presenter view, the download page
   while the offline copy is built, and the pupil's page where it cannot keep an event stream
   open (live.js): onState(state) is called with every new document, so always when a live
   session's `version` changes; when it returns false, polling stops (the session ended).

   Each request names the version this page has (`?after=`): the server holds a pupil's request
   until the session moves on, or about 20 s pass (long polling), so a new step reaches the
   phone as soon as the presenter presses the key. The document's `poll` says how long to pause
   before the next request: 0 while the server holds requests, a few seconds in a group larger
   than it can hold (plain polling), half a second for the console's counts. An ETag makes an
   unchanged answer an empty 304. A failed request is tried again after `seconds` (a phone's
   Wi-Fi drops for a moment). `shownVersion`, if given, is the version the page already shows.
   Returns a function that stops the polling, the request on its way too. */
window.pollState = function (url, seconds, onState, shownVersion) {
  "use strict";
  var etag = null;
  var version = /^\d+$/.test(String(shownVersion)) ? String(shownVersion) : null;
  var pause = seconds;
  var more = true;

  function address() {
    return version === null ? url : url + (url.indexOf("?") < 0 ? "?" : "&") + "after=" + version;
  }

  var asking = null; // the request on its way, to call off when polling stops

  function poll() {
    var wait = seconds;
    asking = window.AbortController ? new window.AbortController() : null;
    fetch(address(), {
      headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store", credentials: "same-origin",
      signal: asking ? asking.signal : undefined
    })
      .then(function (response) {
        if (response.status === 304) { wait = pause; }
        if (response.status !== 200) { return null; }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (!state) { return; }
        version = state.version === undefined ? null : String(state.version);
        pause = typeof state.poll === "number" ? state.poll : seconds;
        wait = pause;
        more = onState(state) !== false;
      })
      .catch(function () { /* offline for a moment, or an error page: try again after `seconds` */ })
      .then(function () { if (more) { window.setTimeout(poll, wait * 1000); } });
  }

  poll();
  return function () { more = false; if (asking) { asking.abort(); } };
};
