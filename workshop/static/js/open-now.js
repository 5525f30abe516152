/* "Open now" / "Closed now" on the help page, worked out in the browser in the directory's
   time zone, so it is right in the offline copy too. */
(function () {
  "use strict";
  var days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

  function nowIn(timeZone) {
    try {
      var parts = new Intl.DateTimeFormat("en-GB", {
        timeZone: timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      }).formatToParts(new Date());
      var found = {};
      parts.forEach(function (part) { found[part.type] = part.value; });
      return { day: found.weekday.toLowerCase().slice(0, 3), minutes: (+found.hour) * 60 + (+found.minute) };
    } catch (error) {
      var local = new Date();
      return { day: days[local.getDay()], minutes: local.getHours() * 60 + local.getMinutes() };
    }
  }

  function minutes(hhmm) {
    var parts = hhmm.split(":");
    return (+parts[0]) * 60 + (+parts[1]);
  }

  // Open if a span of today covers now, or a span of yesterday runs past midnight into now.
  function isOpen(hours, now) {
    var today = hours[now.day] || [];
    var yesterday = hours[days[(days.indexOf(now.day) + 6) % 7]] || [];
    var open = today.some(function (span) {
      var from = minutes(span[0]), to = minutes(span[1]);
      return to > from ? now.minutes >= from && now.minutes < to : now.minutes >= from;
    });
    return open || yesterday.some(function (span) {
      var from = minutes(span[0]), to = minutes(span[1]);
      return to <= from && now.minutes < to;
    });
  }

  // Every service that carries its hours: on the help page and in each help box. A page that
  // puts a help box in place later (a live step) marks it again.
  window.markOpenNow = function (root) {
    var services = (root || document).querySelectorAll("[data-hours]");
    for (var k = 0; k < services.length; k++) {
      var service = services[k];
      var badge = service.querySelector(".open-now");
      var hours = JSON.parse(service.getAttribute("data-hours") || "{}");
      var always = service.hasAttribute("data-always-open");
      if (!badge || (!always && Object.keys(hours).length === 0)) { continue; }
      var open = always || isOpen(hours, nowIn(service.getAttribute("data-timezone")));
      badge.textContent = badge.getAttribute(open ? "data-open" : "data-closed");
      badge.className = "open-now " + (open ? "is-open" : "is-closed");
      badge.hidden = false;
    }
  };
  window.markOpenNow(document);
}());
