/* A pupil's live page: follow the presenter by polling a tiny state document (a 304 when
   nothing changed), and send answers so that one sent while the Wi-Fi drops is retried. */
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  if (!live || !window.fetch || !window.pollState) { return; }
  var version = live.getAttribute("data-version");
  var sending = false;

  function follow(state) {
    if (String(state.version) !== version && !sending) {
      // Not all at once: a class reloading in the same instant would queue on the laptop.
      window.setTimeout(function () { window.location.reload(); }, Math.random() * 1000);
    }
  }

  var form = document.querySelector("[data-answer-form]");
  var status = document.querySelector("[data-status]");

  function send(body, attempt) {
    sending = true;
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (reply) {
        sending = false;
        status.textContent = response.ok ? status.getAttribute("data-saved") : reply.error;
      });
    }).catch(function () {
      // No connection: keep the answer and try again, a little later each time.
      status.textContent = status.getAttribute("data-sending");
      window.setTimeout(function () { send(body, attempt + 1); }, Math.min(1000 * (attempt + 1), 5000));
    });
  }

  if (form && status) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = [];
      var inputs = form.querySelectorAll("input[name=choice], input[data-choice]");
      for (var k = 0; k < inputs.length; k++) { if (inputs[k].checked) { chosen.push(inputs[k].value); } }
      send({ question: form.querySelector("input[name=question]").value, choices: chosen }, 0);
    });
  }
  window.pollState(live.getAttribute("data-state-url"), 2, follow, true);
}());
