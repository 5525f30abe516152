/* A pupil's live page: it follows the presenter on an event stream that brings each new step
   as it happens (or, where the browser or the server cannot keep one open, by polling a tiny
   state document) and puts the step in place without reloading, keeping what the pupil had
   picked. One tap sends a
   single-choice answer; an answer sent while the Wi-Fi drops is retried. The status line only
   says what the server has: "✓ Sent: B" once it has it, never before; a second tab of the same
   device hears of it too. After "Reset answers" the picks are cleared and the page says so. */
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  if (!live || !window.fetch || !window.pollState || !window.DOMParser) { return; }
  document.documentElement.classList.add("js");
  var notice = document.querySelector("[data-notice]");
  var wanted = 0;
  var changing = false;
  var sending = null; // the question whose answer is on its way
  var cleared = null; // the question whose answers the presenter reset, until this device answers again
  // The device's other tabs (one cookie, one device): an answer sent in one shows in all.
  var tabs = window.BroadcastChannel ? new BroadcastChannel("workshop-answer-" + live.getAttribute("data-state-url")) : null;

  function step() { return live.querySelector('[data-part="step"]'); }
  function version() { return Number(step().getAttribute("data-version")); }
  function form() { return step().querySelector("[data-answer-form]"); }

  function picked(answerForm) {
    var ids = [], letters = [];
    // A question's choices, or the before-and-after check's answers (one group per sentence).
    var inputs = answerForm.querySelectorAll("input[name=choice], input[data-choice]");
    for (var k = 0; k < inputs.length; k++) {
      if (inputs[k].checked) { ids.push(inputs[k].value); letters.push(inputs[k].getAttribute("data-letter") || ""); }
    }
    return { ids: ids, letters: letters.join(", ") };
  }

  function say(element, text, kind) {
    element.textContent = text;
    element.className = "answer-status " + kind;
    element.hidden = !text;
  }

  function tellNotice(text) { say(notice, text, "is-late"); }

  // The server has this answer: the form says so, as it would after a reload.
  function markSent(current, ids, letters) {
    cleared = null;
    current.setAttribute("data-unsent", "false");
    step().setAttribute("data-mine", ids.join(","));
    var button = current.querySelector("[data-sent-label]");
    if (button) { button.textContent = button.getAttribute("data-sent-label"); }
    var status = current.querySelector("[data-status]");
    var sent = status.getAttribute("data-sent");
    say(status, sent ? sent.replace("{letters}", letters) : status.getAttribute("data-saved"), "is-sent");
  }

  function formFor(question) {
    var shown = form();
    return shown && shown.querySelector("input[name=question]").value === question ? shown : null;
  }

  // The new step in place. A pick on a question still open stays picked; a pick that was never
  // sent is named when answering closes, so it never vanishes without a word.
  // `given`: the step's HTML as the event stream brought it; without it, it is fetched.
  function refresh(given) {
    changing = true;
    var before = step();
    var answerForm = form();
    var mine = answerForm ? picked(answerForm) : null;
    var unsent = answerForm && answerForm.getAttribute("data-unsent") === "true" && sending === null;
    var arrived = typeof given === "string" ? Promise.resolve(given) :
      fetch(live.getAttribute("data-part-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        });
    arrived
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").querySelector('[data-part="step"]');
        var sameQuestion = next.getAttribute("data-question") === before.getAttribute("data-question");
        var newStep = next.getAttribute("data-version") !== before.getAttribute("data-version");
        // The server had this device's answer, and now has none: the presenter reset the answers.
        var question = next.getAttribute("data-question");
        var reset = sameQuestion && before.getAttribute("data-mine") && !next.getAttribute("data-mine");
        if (reset) { cleared = question; }
        if (cleared !== question || next.getAttribute("data-mine")) { cleared = null; }
        before.parentNode.replaceChild(document.importNode(next, true), before);
        var nextForm = form();
        if (!sameQuestion) { notice.hidden = true; }
        // Said again on each step that follows (a reset can come as two), until the device answers.
        if (nextForm && cleared && (reset || !(mine && mine.ids.length))) {
          notice.hidden = true;
          say(nextForm.querySelector("[data-status]"), notice.getAttribute("data-reset"), "is-unsent");
        } else if (nextForm && sameQuestion && mine && mine.ids.length) {
          var inputs = nextForm.querySelectorAll("input[name=choice], input[data-choice]");
          for (var k = 0; k < inputs.length; k++) { inputs[k].checked = mine.ids.indexOf(inputs[k].value) >= 0; }
        } else if (nextForm) {
          notice.hidden = true;
        }
        if (!nextForm && sameQuestion && unsent && mine.ids.length) {
          // The check's answers carry no letters: its notice names none.
          tellNotice(mine.letters.replace(/[, ]/g, "") ?
            notice.getAttribute("data-unsent-at-close").replace("{letters}", mine.letters) :
            notice.getAttribute("data-unsent-check-at-close"));
        }
        // One message at a time: beside "arrived too late" or "not sent", "you did not send an
        // answer" says less and seems to contradict it.
        var missing = step().querySelectorAll(".answer-status.is-missing");
        for (var m = 0; m < missing.length; m++) { missing[m].hidden = !notice.hidden; }
        if (window.markOpenNow) { window.markOpenNow(live); }
        // A new step starts at its top, unless the pupil is writing a question below it.
        var writing = document.activeElement && document.activeElement.closest && document.activeElement.closest("details.ask");
        if (newStep && !writing && step().getBoundingClientRect().top < 0) { window.scrollTo(0, 0); }
        // Once the session has ended, no question can be asked: the server would refuse it.
        var ask = document.querySelector("details.ask");
        if (ask && step().hasAttribute("data-ended")) { ask.hidden = true; }
      })
      .then(function () { return true; }, function () { return false; })
      .then(function (done) {
        changing = false;
        // Once ended, nothing follows: the goodbye has no version, and asking again would
        // bring the same goodbye back for ever.
        if (step().hasAttribute("data-ended")) { return; }
        // Offline for a moment: try again soon, since an unchanged state is not polled twice.
        if (!done) { window.setTimeout(refresh, 2000); } else if (wanted > version()) { refresh(); }
      });
  }

  // False once the session has ended: there is nothing more to follow.
  function follow(state) {
    if (step().hasAttribute("data-ended")) { return false; }
    wanted = Math.max(wanted, Number(state.version));
    if ((state.ended || wanted > version()) && !changing) { refresh(state.html); }
    return !state.ended;
  }

  // `streamAgain`: the server had no place for a stream just now. Places free as phones leave,
  // so after about a minute of polling the page tries a stream again (between 45 and 75 s, so
  // that a class's phones do not all ask in the same second). A poll the server holds takes a
  // place too: it is called off first, and the server gives its place back within a second.
  function followByPolling(streamAgain) {
    var stop = window.pollState(live.getAttribute("data-state-url"), 2, follow, version());
    if (streamAgain !== true) { return; }
    window.setTimeout(function () {
      stop();
      window.setTimeout(function () {
        if (!step().hasAttribute("data-ended")) { followEvents(); }
      }, 2000);
    }, 45000 + Math.random() * 30000);
  }

  // The stream reconnects by itself when the Wi-Fi drops, naming the last step it had. It is
  // closed for good by an error page (a session deleted, say), by the server's "poll", or when
  // nothing came for longer than the server's signs of life are apart (every 20 s): something
  // between phone and laptop holds the stream back. The page then polls instead, and after the
  // server's "poll" tries a stream again a minute later.
  function followEvents() {
    var source = new window.EventSource(live.getAttribute("data-events-url") + "?after=" + version());
    var silence = null;
    function poll(event) {
      window.clearTimeout(silence);
      source.close();
      followByPolling(!!event && event.type === "poll");
    }
    function heard() { window.clearTimeout(silence); silence = window.setTimeout(poll, 50000); }
    heard();
    source.addEventListener("alive", heard);
    source.addEventListener("step", function (event) {
      heard();
      var state = JSON.parse(event.data);
      if (state.ended) { window.clearTimeout(silence); source.close(); }
      follow(state);
    });
    source.addEventListener("poll", poll);
    source.addEventListener("error", function () {
      if (source.readyState === window.EventSource.CLOSED) { poll(); }
    });
  }

  function send(answerForm, body, letters, attempt) {
    var status = answerForm.querySelector("[data-status]");
    sending = body.question;
    if (attempt === 0) { say(status, status.getAttribute("data-sending"), "is-sending"); }
    fetch(answerForm.action, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (reply) {
        sending = null;
        var current = formFor(body.question);
        if (response.ok && tabs) { tabs.postMessage({ question: body.question, ids: body.choices, letters: letters }); }
        if (response.ok && current) {
          markSent(current, body.choices, letters);
        } else if (response.status === 409) {
          tellNotice(notice.getAttribute("data-late"));
          if (!changing) { refresh(); }
        } else if (!response.ok && current) {
          say(current.querySelector("[data-status]"), reply.error, "is-error");
        }
      });
    }).catch(function () {
      // No connection: keep the answer and try again, a little later each time.
      say(status, status.getAttribute("data-sending"), "is-sending");
      window.setTimeout(function () { send(answerForm, body, letters, attempt + 1); }, Math.min(1000 * (attempt + 1), 5000));
    });
  }

  function sendPicked(answerForm) {
    var mine = picked(answerForm);
    if (!mine.ids.length) { return; }
    send(answerForm, { question: answerForm.querySelector("input[name=question]").value, choices: mine.ids }, mine.letters, 0);
  }

  if (tabs) {
    tabs.onmessage = function (event) {
      var answer = event.data;
      var current = formFor(answer.question);
      if (!current) { return; }
      var inputs = current.querySelectorAll("input[name=choice], input[data-choice]");
      for (var k = 0; k < inputs.length; k++) { inputs[k].checked = answer.ids.indexOf(inputs[k].value) >= 0; }
      markSent(current, answer.ids, answer.letters);
    };
  }

  live.addEventListener("change", function (event) {
    var answerForm = event.target.form;
    if (!answerForm || !answerForm.hasAttribute("data-answer-form")) { return; }
    if (answerForm.classList.contains("one-tap")) { sendPicked(answerForm); return; }
    answerForm.setAttribute("data-unsent", "true");
    var status = answerForm.querySelector("[data-status]");
    if (status.hasAttribute("data-unsent")) { say(status, status.getAttribute("data-unsent"), "is-unsent"); }
  });

  live.addEventListener("submit", function (event) {
    if (!event.target.hasAttribute("data-answer-form")) { return; }
    event.preventDefault();
    sendPicked(event.target);
  });

  // An anonymous question goes in the background; the thank-you shows once, here.
  var askForm = document.querySelector("[data-ask-form]");
  var asked = document.querySelector("[data-asked]");
  if (askForm && asked) {
    askForm.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(askForm.action, {
        method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(askForm)),
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (reply) {
          asked.textContent = response.ok ? asked.getAttribute("data-thanks") : reply.error;
          if (response.ok) { askForm.reset(); }
        });
      }).catch(function () { asked.textContent = ""; });
    });
  }
  if (window.history && history.replaceState && /[?&]asked=1/.test(window.location.search)) {
    history.replaceState(null, "", window.location.pathname);
  }

  if (window.EventSource) { followEvents(); } else { followByPolling(); }
}());
