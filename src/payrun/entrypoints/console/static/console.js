// Live progress without a framework: re-fetch the run's progress fragment every 2 s until the
// run has finished (the fragment says so in data-finished).
(function () {
  "use strict";
  function poll(box) {
    fetch(box.dataset.src, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        box.innerHTML = html;
        var head = box.querySelector(".run-head");
        if (!head || head.dataset.finished !== "1") { setTimeout(function () { poll(box); }, 2000); }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 5000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("progress");
    var head = box && box.querySelector(".run-head");
    if (box && head && head.dataset.finished !== "1") { setTimeout(function () { poll(box); }, 1000); }
  });
})();
