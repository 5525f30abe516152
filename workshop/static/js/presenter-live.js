/* The presenter's two windows, the stage (projected) and the presenter view (the laptop): both
   follow the session on an event stream of their own, which the server wakes before the class's
   phones (or, without one, by polling), put a new step in place without reloading, and take
   the clicker's keys. A press while a step is still changing is ignored, so two quick presses
   never skip a slide or close and reveal at once. Devices, results, pupils' questions and the
   confirmations open over the view in a dialog, where the clicker's keys still work. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-window]");
  if (!root || !window.fetch || !window.pollState || !window.DOMParser) { return; }
  document.documentElement.classList.add("js");
  var version = Number(root.getAttribute("data-version"));
  var wanted = version;
  var changing = false; // the newest step is being fetched
  var posting = false; // a press is on its way to the server
  var isStage = document.body.classList.contains("stage");
  var blank = root.querySelector("[data-blank]");
  var blankToggle = root.querySelector("[data-blank-toggle]");
  var drawer = root.querySelector("[data-drawer]");
  var streaming = false;
  // The stage and the presenter view of one session tell each other when the stage is blanked.
  var channel = window.BroadcastChannel ? new BroadcastChannel("workshop-stage-" + root.getAttribute("data-code")) : null;

  function each(selector, action) {
    var found = root.querySelectorAll(selector);
    for (var k = 0; k < found.length; k++) { action(found[k]); }
  }

  function fit() {
    if (window.fitText) { each("[data-fit]", window.fitText); }
  }

  // A count that grew a digit can push the step's last line out of the box: fitted again then.
  function fitIfCut() {
    each("[data-fit]", function (box) {
      if (box.scrollHeight > box.clientHeight + 1 && window.fitText) { window.fitText(box); }
    });
  }

  function connected(ok) {
    each("[data-connection-lost]", function (element) { element.hidden = ok; });
    each("[data-connection-ok]", function (element) { element.hidden = !ok; });
  }

  // The new step's parts, as the server renders them, put where the old ones were.
  function putInPlace(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var stamped = page.querySelector("[data-version]");
    // The stream and a fetch can bring the same step: an older one never replaces a newer.
    if (stamped && Number(stamped.getAttribute("data-version")) <= version) { return; }
    var parts = page.querySelectorAll("[data-part]");
    for (var k = 0; k < parts.length; k++) {
      var here = root.querySelector('[data-part="' + parts[k].getAttribute("data-part") + '"]');
      if (here) { here.parentNode.replaceChild(document.importNode(parts[k], true), here); }
    }
    if (stamped) {
      version = Number(stamped.getAttribute("data-version"));
      root.setAttribute("data-version", version);
      // The press's step is here, most often before the server's reply: the next press counts.
      posting = false;
    }
    closeStaleConfirmation();
    // "Open now" adds a line under each help number: the step is fitted once it is there.
    if (window.markOpenNow) { window.markOpenNow(root); }
    fit();
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

  function catchUp() {
    if (wanted > version && !changing) { refresh(); }
  }

  function update(state) {
    wanted = Math.max(wanted, Number(state.version));
    connected(true);
    if (wanted > version) {
      // The stream brings the step itself; a fetch is for a page without one, or a stream
      // held back on its way.
      if (!streaming) { catchUp(); } else { window.setTimeout(catchUp, 1500); }
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
    fitIfCut();
  }

  // The session's steps as the server sends them, each with this window's part. The browser
  // reconnects by itself, naming the last step it had; the server's "poll" leaves polling alone.
  function followEvents() {
    var url = root.getAttribute("data-events-url");
    if (!url || !window.EventSource) { return; }
    var source = new window.EventSource(url + "?after=" + version);
    streaming = true;
    source.addEventListener("step", function (event) {
      var state = JSON.parse(event.data);
      wanted = Math.max(wanted, Number(state.version));
      putInPlace(state.html);
      connected(true);
      if (state.ended) { source.close(); }
    });
    source.addEventListener("alive", function () { streaming = true; });
    source.addEventListener("poll", function () { streaming = false; source.close(); });
    source.addEventListener("error", function () { streaming = source.readyState === window.EventSource.OPEN; });
  }

  // A control pressed by key or by mouse: sent in the background, then the new step put in place.
  function send(form) {
    if (posting || wanted > version) { return; }
    posting = true;
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
      posting = false;
      wanted = Math.max(wanted, Number(state.version));
      // Usually the stream has brought the step already, before this reply.
      catchUp();
    }).catch(function () {
      posting = false;
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

  function clicker(event) {
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
  }
  document.addEventListener("keydown", clicker);

  // The dialog holds the page itself (it works without JavaScript as a page of its own): its
  // forms post as they do there. Once it lands back on a live window (a confirmation done, or
  // "No, go back"), the dialog closes: the step comes on the stream.
  var dialog = document.querySelector("[data-window-dialog]");
  var frame = dialog && dialog.querySelector("iframe");
  function openInDialog(link) {
    var name = link.getAttribute("data-dialog-title") || link.textContent.trim();
    dialog.querySelector("[data-dialog-title]").textContent = name;
    frame.title = name;
    frame.src = link.href;
    dialog.classList.toggle("is-confirm", link.hasAttribute("data-confirm"));
    dialog.showModal();
  }
  function closeStaleConfirmation() {
    // "Reset answers" acts on the step on the stage: asked for another, it would reset the wrong one.
    if (dialog && dialog.open && /\/confirm\/reset/.test(frame.src)) { dialog.close(); }
  }
  if (dialog && dialog.showModal) {
    root.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-dialog], a[data-confirm]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      openInDialog(link);
    });
    frame.addEventListener("load", function () {
      if (!dialog.open) { return; }
      var page = frame.contentDocument;
      // A live window refuses to be framed: the frame then holds no page of the app's.
      if (!page || !page.querySelector("main") || page.querySelector("[data-live-window]")) { dialog.close(); return; }
      page.documentElement.classList.add("in-dialog");
      page.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { dialog.close(); } else { clicker(event); }
      });
    });
    dialog.querySelector("[data-dialog-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { frame.src = "about:blank"; });
  }

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
  // A web font that arrives late changes every line's length.
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(fit); }
  followEvents();
  window.pollState(root.getAttribute("data-state-url"), 1.5, update);
}());
