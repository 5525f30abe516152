/* The presenter's two windows, the stage (projected) and the presenter view (the laptop): both
   follow the session's state on the server, put a new step in place without reloading, and take
   the clicker's keys. A press while a step is still changing is ignored, so two quick presses
   never skip a slide or close and reveal at once. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-window]");
  if (!root || !window.fetch || !window.pollState || !window.DOMParser) { return; }
  document.documentElement.classList.add("js");
  var version = Number(root.getAttribute("data-version"));
  var wanted = version;
  var changing = false;
  var isStage = document.body.classList.contains("stage");
  var blank = root.querySelector("[data-blank]");
  var blankToggle = root.querySelector("[data-blank-toggle]");
  var drawer = root.querySelector("[data-drawer]");
  // The stage and the presenter view of one session tell each other when the stage is blanked.
  var channel = window.BroadcastChannel ? new BroadcastChannel("workshop-stage-" + root.getAttribute("data-code")) : null;

  function each(selector, action) {
    var found = root.querySelectorAll(selector);
    for (var k = 0; k < found.length; k++) { action(found[k]); }
  }

  function fit() {
    if (window.fitText) { each("[data-fit]", window.fitText); }
  }

  function connected(ok) {
    each("[data-connection-lost]", function (element) { element.hidden = ok; });
    each("[data-connection-ok]", function (element) { element.hidden = !ok; });
  }

  // The new step's parts, as the server renders them, put where the old ones were.
  function putInPlace(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var parts = page.querySelectorAll("[data-part]");
    for (var k = 0; k < parts.length; k++) {
      var here = root.querySelector('[data-part="' + parts[k].getAttribute("data-part") + '"]');
      if (here) { here.parentNode.replaceChild(document.importNode(parts[k], true), here); }
    }
    var stamped = page.querySelector("[data-version]");
    if (stamped) {
      version = Number(stamped.getAttribute("data-version"));
      root.setAttribute("data-version", version);
    }
    fit();
    if (window.markOpenNow) { window.markOpenNow(root); }
  }

  function refresh() {
    changing = true;
    return fetch(root.getAttribute("data-part-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) { putInPlace(html); connected(true); })
      .catch(function () { connected(false); })
      .then(function () {
        changing = false;
        // The state moved on again while this step was on its way: fetch the newest.
        if (wanted > version) { window.setTimeout(refresh, 250); }
      });
  }

  function update(state) {
    wanted = Math.max(wanted, Number(state.version));
    connected(true);
    if (wanted > version) {
      if (!changing) { refresh(); }
      return;
    }
    each("[data-participants]", function (element) { element.textContent = state.participants; });
    each("[data-answered]", function (element) { element.textContent = state.answered; });
    each("[data-questions]", function (element) { element.textContent = state.questions; });
    each("[data-refused]", function (element) { element.hidden = !state.refused; });
    Object.keys(state.choices || {}).forEach(function (id) {
      each('[data-chart] [data-choice="' + id + '"]', function (row) {
        row.querySelector(".count").textContent = state.choices[id].count;
        row.querySelector(".share").textContent = state.choices[id].share + "%";
        row.querySelector("rect").setAttribute("width", state.choices[id].share);
      });
    });
  }

  // A control pressed by key or by mouse: sent in the background, then the new step put in place.
  function send(form) {
    if (changing) { return; }
    changing = true;
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      // A refusal the server explains (the laptop cannot save, say) stays in sight until a press works.
      return response.json().catch(function () { return {}; }).then(function (reply) {
        each("[data-problem]", function (element) {
          element.textContent = response.ok ? "" : reply.error || "";
          element.hidden = response.ok || !reply.error;
        });
        if (!response.ok) { throw new Error(response.status); }
        return reply;
      });
    }).then(function (state) {
      wanted = Math.max(wanted, Number(state.version));
      return refresh();
    }).catch(function () {
      changing = false;
      connected(false);
    });
  }

  function press(action) {
    var button = root.querySelector('[data-part] button[data-action="' + action + '"]');
    if (button) { send(button.form); }
  }

  function setBlank(on, tellOthers) {
    if (blank) { blank.hidden = !on; }
    if (blankToggle) { blankToggle.setAttribute("aria-pressed", on ? "true" : "false"); }
    if (tellOthers && channel) { channel.postMessage({ blank: on }); }
  }

  function isBlank() {
    return blank ? !blank.hidden : blankToggle && blankToggle.getAttribute("aria-pressed") === "true";
  }

  function toggleFullscreen() {
    var page = document.documentElement;
    if (document.fullscreenElement) { document.exitFullscreen(); } else if (page.requestFullscreen) { page.requestFullscreen(); }
  }

  root.addEventListener("submit", function (event) {
    if (!event.target.hasAttribute("data-act")) { return; }
    event.preventDefault();
    send(event.target);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target.closest ? event.target : document.body;
    if (event.altKey || event.ctrlKey || event.metaKey || target.closest("input, textarea, select")) { return; }
    var key = event.key;
    // Enter and Space keep their meaning on a focused button or link; every other key is the
    // clicker's, wherever the focus is (a clicked link keeps it).
    var onControl = target.closest("button, a, summary");
    if (key === "ArrowRight" || key === "PageDown" || (key === " " && !onControl)) { press("next"); }
    else if (key === "ArrowLeft" || key === "PageUp") { press("back"); }
    else if (key === "b" || key === "B" || key === ".") { setBlank(!isBlank(), true); }
    else if (key === "f" || key === "F") { toggleFullscreen(); }
    else if ((key === "m" || key === "M") && drawer) { drawer.open = !drawer.open; }
    else { return; }
    event.preventDefault();
  });

  if (blankToggle) {
    blankToggle.hidden = false;
    blankToggle.addEventListener("click", function () { setBlank(!isBlank(), true); });
  }
  if (channel) {
    channel.onmessage = function (event) {
      if (event.data.ask && isStage) { channel.postMessage({ blank: isBlank() }); }
      if (typeof event.data.blank === "boolean") { setBlank(event.data.blank, false); }
    };
    if (!isStage) { channel.postMessage({ ask: true }); }
  }

  // The clock and the time since the session started, on the presenter view.
  var now = root.querySelector(".clock-now");
  if (now) {
    var started = Number(root.getAttribute("data-started"));
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var time = new Date();
      var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      now.textContent = pad(time.getHours()) + ":" + pad(time.getMinutes());
      root.querySelector(".clock-elapsed").textContent = Math.floor(seconds / 60) + ":" + pad(seconds % 60);
    };
    tick();
    window.setInterval(tick, 1000);
  }

  // Whether the server answers at all, checked apart from the state's own transport: a lost
  // connection shows at once instead of stale counts.
  window.setInterval(function () {
    fetch(root.getAttribute("data-state-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { connected(response.ok); })
      .catch(function () { connected(false); });
  }, 5000);

  window.addEventListener("resize", fit);
  fit();
  window.pollState(root.getAttribute("data-state-url"), 1.5, update);
}());
