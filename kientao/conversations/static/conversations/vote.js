// Voting card: swap the card in place after a vote (the forms work without this),
// and keyboard shortcuts a / d / p. In the embedded widget (no cookies in a third-party
// frame) the signed participant field is kept in local storage so that a reload
// carries on as the same participant.
(function () {
  "use strict";
  function store(op, key, value) {
    try { return op === "get" ? window.localStorage.getItem(key) : window.localStorage.setItem(key, value); }
    catch (e) { return null; }  // storage blocked: the widget still works, a reload starts afresh
  }
  function remember() {
    var card = document.getElementById("card");
    var field = card && card.querySelector('input[name="participant"]');
    if (card && field && card.getAttribute("data-embed-key")) store("set", card.getAttribute("data-embed-key"), field.value);
  }
  function place(html, focus) {
    var card = document.getElementById("card");
    var box = document.createElement("div");
    box.innerHTML = html;
    var fresh = box.querySelector("#card");
    if (!card || !fresh) return false;
    card.replaceWith(fresh);
    if (focus) {
      var target = fresh.querySelector(".statement-text") || fresh;
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
    remember();
    return true;
  }
  function post(url, data) {
    return fetch(url, {method: "POST", body: data, credentials: "same-origin", headers: {"X-Kientao-Fetch": "card"}});
  }
  function swap(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    post(form.action, data)
      .then(function (r) { return r.text(); })
      .then(function (html) { if (!place(html, true)) form.submit(); })
      .catch(function () { form.submit(); });
  }
  function resume() {
    var card = document.getElementById("card");
    if (!card || !card.getAttribute("data-embed-key") || !window.fetch) return;
    var saved = store("get", card.getAttribute("data-embed-key"));
    if (!card.getAttribute("data-fresh") || !saved) { remember(); return; }
    var data = new FormData();
    data.append("participant", saved);
    post(card.getAttribute("data-resume"), data)
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (!html || !place(html, false)) remember(); })
      .catch(remember);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resume); else resume();
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
