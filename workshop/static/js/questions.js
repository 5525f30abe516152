/* The presenter's list of pupils' questions, kept up to date without reloading: it follows
   the session's state (poll.js) and, when a new question arrives or the session moves on,
   fetches the list again and puts it in place. Without JavaScript, a link reloads the page. */
(function () {
  "use strict";
  var list = document.querySelector("[data-questions-list]");
  if (!list || !window.pollState) { return; }
  document.documentElement.classList.add("js");
  var shown = null;
  var stale = false;

  function refresh() {
    fetch(list.getAttribute("data-part-url"), { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      // A list the presenter is using (a button focused in it) waits: the next state tries again.
      .then(function (html) {
        if (html !== null && !list.contains(document.activeElement)) { list.innerHTML = html; stale = false; }
      })
      .catch(function () { /* offline for a moment: the next state tries again */ });
  }

  window.pollState(list.getAttribute("data-state-url"), 2, function (state) {
    var mark = [state.version, state.questions, state.latest_question].join(":");
    stale = stale || (shown !== null && mark !== shown);
    shown = mark;
    if (stale) { refresh(); }
  });
}());
