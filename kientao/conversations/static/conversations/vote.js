// Voting card: swap the card in place after a vote (the forms work without this),
// and keyboard shortcuts a / d / p.
(function () {
  "use strict";
  function swap(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"X-Kientao-Fetch": "card"}})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var card = document.getElementById("card");
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#card");
        if (card && fresh) {
          card.replaceWith(fresh);
          var focus = fresh.querySelector(".statement-text") || fresh;
          focus.setAttribute("tabindex", "-1");
          focus.focus();
        } else { form.submit(); }
      })
      .catch(function () { form.submit(); });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.closest || !form.closest("#card") || !window.fetch) return;
    e.preventDefault();
    swap(form, e.submitter);
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target && e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT") return;
    var b = document.querySelector('.vote-form button[data-key="' + e.key.toLowerCase() + '"]');
    if (b) { e.preventDefault(); b.click(); }
  });
})();
