// The download page while the offline copy is built: shows the build's real progress, and
// reloads once the copy is ready (or the build failed), so the page then offers what there is.
(function () {
  "use strict";
  var box = document.querySelector("[data-build-status]");
  if (!box) return;
  var stages = JSON.parse(box.getAttribute("data-stages"));
  var stage = box.querySelector("[data-build-stage]");
  var bar = box.querySelector("progress");
  var count = box.getAttribute("data-count");  // "{stage}: {done} of {total}", in the page's language

  function show(build) {
    var name = stages[build.stage] || "";
    bar.max = build.total || 1;
    bar.value = build.done;
    stage.textContent = build.total
      ? count.replace("{stage}", name).replace("{done}", build.done).replace("{total}", build.total)
      : name;
  }

  function poll() {
    fetch(box.getAttribute("data-build-status"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.ready || !status.build || status.build.stage === "failed") {
          window.location.reload();
          return;
        }
        show(status.build);
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
