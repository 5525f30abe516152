/* The self-paced quiz's score, counted as answers change. Without this file a CSS counter
   shows it where the browser can; the feedback itself needs no script at all. */
(function () {
  "use strict";
  var quiz = document.querySelector(".quiz");
  var count = document.querySelector(".score-count");
  if (!quiz || !count) { return; }
  document.documentElement.classList.add("js");

  function isRight(question) {
    var inputs = question.querySelectorAll("input");
    var any = false;
    for (var k = 0; k < inputs.length; k++) {
      var right = inputs[k].hasAttribute("data-right");
      if (inputs[k].checked !== right) { return false; }
      any = any || right;
    }
    return any;
  }

  function update() {
    var questions = quiz.querySelectorAll(".question[data-scored]");
    var right = 0;
    for (var k = 0; k < questions.length; k++) { if (isRight(questions[k])) { right++; } }
    count.textContent = right;
  }

  quiz.addEventListener("change", update);
  update();
}());
