// Live preview of a text fork: the server renders and sanitizes, this only asks and shows.
(function () {
  "use strict";
  var form = document.getElementById("tailor");
  if (!form || !form.dataset.preview) return;
  var target = form.querySelector("[data-rendered]");
  var timer = null;
  var latest = 0;

  function refresh() {
    var asked = ++latest;
    var data = new FormData();
    data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    data.append("body", form.querySelector("[data-body]").value);
    form.querySelectorAll("[data-field]").forEach(function (input) {
      data.append(input.name, input.value);
    });
    fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // A slower, older answer never overwrites a newer one.
        if (html !== null && asked === latest) target.innerHTML = html;
      })
      .catch(function () { /* the last good preview stays */ });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.matches("[data-body], [data-field]")) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
