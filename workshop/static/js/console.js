/* The presenter's live console: answer counts and bars update as they arrive, and the
   clicker's keys press the console's buttons. */
(function () {
  "use strict";
  var root = document.querySelector("[data-console]");
  if (!root || !window.fetch || !window.pollState) { return; }
  var version = root.getAttribute("data-version");
  // Set once a button sends the page elsewhere: a reload then would cancel that navigation.
  var leaving = false;

  function setAll(selector, text) {
    var found = document.querySelectorAll(selector);
    for (var k = 0; k < found.length; k++) { found[k].textContent = text; }
  }

  function update(state) {
    if (leaving) { return; }
    if (String(state.version) !== version) { leaving = true; window.location.reload(); return; }
    setAll("[data-participants]", state.participants);
    setAll("[data-answered]", state.answered);
    setAll("[data-questions]", state.questions);
    Object.keys(state.choices).forEach(function (id) {
      var row = document.querySelector('[data-chart] [data-choice="' + id + '"]');
      if (!row) { return; }
      row.querySelector(".count").textContent = state.choices[id].count;
      row.querySelector(".share").textContent = state.choices[id].share + "%";
      row.querySelector("rect").setAttribute("width", state.choices[id].share);
    });
  }

  function press(action) {
    var button = document.querySelector('button[data-action="' + action + '"]');
    if (button) { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea, button, a")) { return; }
    var key = event.key;
    if (key === "ArrowRight" || key === "PageDown" || key === " ") { press("next"); }
    else if (key === "ArrowLeft" || key === "PageUp") { press("back"); }
    else if (key === "f" || key === "F") {
      var page = document.documentElement;
      if (document.fullscreenElement) { document.exitFullscreen(); } else if (page.requestFullscreen) { page.requestFullscreen(); }
    } else { return; }
    event.preventDefault();
  });
  document.addEventListener("submit", function () { leaving = true; });
  window.pollState(root.getAttribute("data-state-url"), 1.5, update);
}());
