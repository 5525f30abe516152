/* Fit to the box: the stage's text takes the largest size at which the whole step fits the
   projector, so nothing is ever cut off and nothing needs scrolling (a clicker cannot scroll). */
window.fitText = function (box) {
  "use strict";
  var content = box.firstElementChild;
  if (!content) { return; }
  // Below this the back row cannot read it: then the step overflows, and the fit test says so.
  var smallest = 14;
  // No bigger than about ten lines of the box's height, and a comfortable line length.
  var largest = Math.max(smallest, Math.min(box.clientHeight / 10, box.clientWidth / 26));

  function fits(size) {
    content.style.fontSize = size + "px";
    // The step's own width, not the box's: text running into the box's margin is cut off too.
    return box.scrollHeight <= box.clientHeight + 1 && content.scrollWidth <= content.clientWidth + 1;
  }

  if (fits(largest)) { return; }
  var low = smallest, high = largest;
  for (var k = 0; k < 10; k++) {
    var middle = (low + high) / 2;
    if (fits(middle)) { low = middle; } else { high = middle; }
  }
  fits(low);
};
