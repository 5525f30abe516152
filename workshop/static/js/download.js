// The download page while the offline copy is built: shows the build's real progress, and
// reloads once the copy is ready (or the build failed), so the page then offers what there is.
(function () {
  "use strict";
  var box = document.querySelector("[data-build-status]");
  if (!box || !window.fetch || !window.pollState) { return; }
  var stages = JSON.parse(box.getAttribute("data-stages"));
  var stage = box.querySelector("[data-build-stage]");
  var bar = box.querySelector("progress");
  var count = box.getAttribute("data-count");  // "{stage}: {done} of {total}", in the page's language
  // Set once the page reloads: a poll answered meanwhile must not reload it a second time.
  var leaving = false;

  function show(build) {
    var name = stages[build.stage] || "";
    bar.max = build.total || 1;
    bar.value = build.done;
    stage.textContent = build.total
      ? count.replace("{stage}", name).replace("{done}", build.done).replace("{total}", build.total)
      : name;
  }

  function update(status) {
    if (leaving) { return; }
    // The build is over (a copy that was ready before may be listed already: not a reason).
    if (!status.build || status.build.stage === "failed") {
      leaving = true;
      window.location.reload();
      return;
    }
    show(status.build);
  }

  // The page was rendered with the build's state of this moment: the first poll can wait.
  window.pollState(box.getAttribute("data-build-status"), 2, update, true);
}());
