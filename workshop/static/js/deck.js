/* Slide deck and speaker view: one slide at a time, by keyboard and clicker keys, by the
   on-screen buttons or a swipe (tablets, interactive whiteboards), B or "." to blank the screen,
   and the two windows kept in step with postMessage (which also works between file:// pages). */
(function () {
  "use strict";
  var isSpeaker = document.body.classList.contains("speaker");
  var slides = document.querySelectorAll("[data-slide]");
  var nexts = document.querySelectorAll("[data-next]");
  var nextEnd = document.querySelector("[data-next-end]");
  var counter = document.querySelector(".deck-counter");
  var deck = document.querySelector("[data-speaker-url]");
  var total = slides.length;
  var index = 0;
  var peer = isSpeaker ? window.opener : null;
  var startedAt = Date.now();
  var blank = document.querySelector("[data-blank]");

  document.documentElement.classList.add("js");

  function setHidden(list, shown) {
    for (var k = 0; k < list.length; k++) { list[k].hidden = k !== shown; }
  }

  function show(target, fromPeer) {
    index = Math.max(0, Math.min(total - 1, target));
    setHidden(slides, index);
    setHidden(nexts, index + 1);
    if (nextEnd) { nextEnd.hidden = index + 1 < total; }
    if (counter) { counter.textContent = (index + 1) + " / " + total; }
    if (window.history && history.replaceState) { history.replaceState(null, "", "#" + (index + 1)); }
    if (!fromPeer) { tell({ type: "show", index: index }); }
  }

  function tell(message) {
    if (peer && !peer.closed) {
      message.workshopDeck = true;
      peer.postMessage(message, "*");
    }
  }

  function toggleFullscreen() {
    var root = document.documentElement;
    if (document.fullscreenElement || document.webkitFullscreenElement) {
      (document.exitFullscreen || document.webkitExitFullscreen).call(document);
    } else if (root.requestFullscreen || root.webkitRequestFullscreen) {
      (root.requestFullscreen || root.webkitRequestFullscreen).call(root);
    }
  }

  function openSpeakerView() {
    if (isSpeaker || !deck) { return; }
    peer = window.open(deck.getAttribute("data-speaker-url") + "#" + (index + 1),
      "workshop-speaker", "width=1100,height=760");
  }

  var keys = {
    ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, Spacebar: 1,
    ArrowLeft: -1, ArrowUp: -1, PageUp: -1
  };

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (keys[key]) {
      show(index + (event.shiftKey && keys[key] === 1 && (key === " " || key === "Spacebar") ? -1 : keys[key]));
    } else if (key === "Home") {
      show(0);
    } else if (key === "End") {
      show(total - 1);
    } else if (key === "f" || key === "F") {
      toggleFullscreen();
    } else if (key === "s" || key === "S") {
      openSpeakerView();
    } else if ((key === "b" || key === "B" || key === ".") && blank) {
      blank.hidden = !blank.hidden;
    } else {
      return;
    }
    event.preventDefault();
  });

  var buttons = document.querySelectorAll("[data-deck-move]");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function (event) {
      show(index + Number(event.currentTarget.getAttribute("data-deck-move")));
    });
  }
  if (blank) {
    blank.addEventListener("click", function () { blank.hidden = true; });
  }

  // A swipe to the left is "next", as on a tablet; a mostly vertical move is left to scrolling.
  var swipeFrom = null;
  var slideArea = document.querySelector(".slides");
  if (slideArea) {
    slideArea.addEventListener("pointerdown", function (event) {
      swipeFrom = event.pointerType === "mouse" ? null : { x: event.clientX, y: event.clientY };
    });
    slideArea.addEventListener("pointerup", function (event) {
      if (!swipeFrom) { return; }
      var dx = event.clientX - swipeFrom.x, dy = event.clientY - swipeFrom.y;
      swipeFrom = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > 2 * Math.abs(dy)) { show(index + (dx < 0 ? 1 : -1)); }
    });
  }

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (!message || !message.workshopDeck) { return; }
    if (!isSpeaker) { peer = event.source; }
    if (message.type === "show") {
      if (message.index !== index) { show(message.index, true); }
    } else if (message.type === "hello") {
      tell({ type: "show", index: index });
    }
  });

  function tickClock() {
    var now = new Date();
    var seconds = Math.floor((Date.now() - startedAt) / 1000);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    document.querySelector(".clock-now").textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
    document.querySelector(".clock-elapsed").textContent = Math.floor(seconds / 60) + ":" + pad(seconds % 60);
  }

  var fromHash = parseInt(window.location.hash.slice(1), 10);
  show(isNaN(fromHash) ? 0 : fromHash - 1, true);

  if (isSpeaker) {
    tickClock();
    window.setInterval(tickClock, 1000);
    // Ask the deck where it is, now and every few seconds, so a reloaded deck finds us again.
    tell({ type: "hello" });
    window.setInterval(function () { tell({ type: "hello" }); }, 3000);
  }
}());
