/* Moderators' queue keyboard shortcuts. Without JavaScript every action is a button.
   j/k: next/previous item; a: approve; s: spam; r: focus the reject reason (Enter
   submits the rejection). Keys typed into a field are left alone. */
(function () {
  "use strict";
  var queue = document.querySelector("[data-moderation-queue]");
  if (!queue) return;
  var items = function () { return Array.prototype.slice.call(queue.querySelectorAll(".mq-item")); };

  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest(".mq-item") : null;
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var i = list.indexOf(current());
    var next = list[Math.min(list.length - 1, Math.max(0, i < 0 ? 0 : i + step))];
    next.focus();
    next.scrollIntoView({block: "nearest"});
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var item = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a":
      case "s":
        if (!item) return;
        var button = item.querySelector('button[data-key="' + event.key + '"]');
        if (!button) return;
        button.click();
        break;
      case "r":
        if (!item) return;
        var reason = item.querySelector('input[data-key="r"]');
        if (!reason) return;
        reason.focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  var first = items()[0];
  if (first && !location.hash) first.focus({preventScroll: true});
})();
