/* Canvas editor of a system map (Cytoscape.js). Every action has a button, and the
   lists beside the canvas work with the keyboard; saving posts JSON that the server
   validates through the engine and stores as a new version. */
(function () {
  "use strict";
  var config = document.getElementById("canvas-config");
  if (!config || typeof cytoscape === "undefined") { return; }
  var text = config.dataset;
  var canEdit = text.canEdit === "1";
  var loops = JSON.parse(document.getElementById("map-loops").textContent);
  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: JSON.parse(document.getElementById("map-elements").textContent),
    layout: { name: "preset" },
    wheelSensitivity: 0.3,
    autoungrabify: !canEdit,
    style: [
      { selector: "node", style: { "label": "data(label)", "text-wrap": "wrap", "text-max-width": 120,
        "font-size": 12, "text-valign": "center", "background-color": "#e6f0ee", "border-width": 1,
        "border-color": "#0b5e55", "width": 28, "height": 28 } },
      { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 2,
        "label": "data(mark)", "font-size": 14, "font-weight": "bold", "text-background-color": "#fff",
        "text-background-opacity": 1, "line-color": "#4d7c0f", "target-arrow-color": "#4d7c0f", "color": "#4d7c0f" } },
      { selector: "edge[sign < 0]", style: { "line-style": "dashed", "line-color": "#be123c",
        "target-arrow-color": "#be123c", "color": "#be123c" } },
      { selector: "edge[sign = 0]", style: { "line-color": "#6b7280", "target-arrow-color": "#6b7280", "color": "#6b7280" } },
      { selector: ":selected", style: { "border-width": 4, "border-color": "#b54708", "line-color": "#b54708", "target-arrow-color": "#b54708" } },
      { selector: ".faded", style: { "opacity": 0.2 } },
      { selector: ".hl", style: { "width": 5, "border-width": 4, "border-color": "#1d4ed8" } }
    ]
  });
  cy.fit(undefined, 20);
  var history = [];
  var counter = 0;
  var status = document.getElementById("canvas-status");
  function say(message) { status.textContent = message; }
  function remember() {
    history.push(cy.elements().jsons());
    if (history.length > 100) { history.shift(); }
    say(text.textUnsaved);
  }
  function byId(id) { return document.getElementById(id); }

  function refreshLists() {
    var factorList = byId("factor-list"), linkList = byId("link-list");
    factorList.textContent = ""; linkList.textContent = "";
    document.querySelectorAll(".factor-select").forEach(function (sel) {
      var keep = sel.value; sel.textContent = "";
      cy.nodes().forEach(function (n) { sel.add(new Option(n.data("label"), n.id())); });
      if (keep) { sel.value = keep; }
    });
    cy.nodes().forEach(function (n) { factorList.appendChild(item(n, n.data("label"))); });
    cy.edges().forEach(function (e) {
      linkList.appendChild(item(e, e.source().data("label") + " → " + e.data("mark") + " " + e.target().data("label")));
    });
  }
  function item(el, label) {
    var li = document.createElement("li");
    if (el.selected()) { li.className = "selected"; }
    li.appendChild(document.createTextNode(label));
    var select = document.createElement("button");
    select.type = "button"; select.textContent = text.textSelect;
    select.setAttribute("aria-label", text.textSelect + ": " + label);
    select.addEventListener("click", function () { cy.elements().unselect(); el.select(); refreshLists(); });
    li.appendChild(select);
    if (canEdit) {
      var del = document.createElement("button");
      del.type = "button"; del.textContent = text.textDelete;
      del.setAttribute("aria-label", text.textDelete + ": " + label);
      del.addEventListener("click", function () { remember(); el.remove(); refreshLists(); });
      li.appendChild(del);
    }
    return li;
  }
  function highlight(number) {
    cy.elements().removeClass("faded hl");
    var loop = loops.find(function (l) { return l.number === number; });
    if (!loop) { return; }
    var edges = cy.collection();
    loop.links.forEach(function (id) { edges = edges.union(cy.getElementById(id)); });
    var part = edges.union(edges.connectedNodes());
    cy.elements().not(part).addClass("faded");
    part.addClass("hl");
  }
  byId("loop-select").addEventListener("change", function (ev) { highlight(parseInt(ev.target.value, 10)); });
  highlight(parseInt(text.highlight, 10));
  cy.on("select unselect", function () { refreshLists(); });
  cy.on("grab", "node", function () { remember(); });

  if (canEdit) {
    byId("add-factor").addEventListener("click", function () {
      var input = byId("new-label"), label = input.value.trim();
      if (!label) { say(text.textLabel); input.focus(); return; }
      remember();
      counter += 1;
      var ext = cy.extent();
      cy.add({ group: "nodes", data: { id: "new" + Date.now() + "-" + counter, label: label },
               position: { x: (ext.x1 + ext.x2) / 2 + 15 * (counter % 5), y: (ext.y1 + ext.y2) / 2 + 15 * (counter % 5) } });
      input.value = "";
      refreshLists();
    });
    byId("add-link").addEventListener("click", function () {
      var from = byId("link-from").value, to = byId("link-to").value;
      if (!from || !to) { return; }
      var sign = parseInt(byId("link-sign").value, 10), delay = byId("link-delay").checked;
      remember();
      counter += 1;
      cy.add({ group: "edges", data: { id: "newl" + Date.now() + "-" + counter, source: from, target: to,
        sign: sign, delay: delay, strength: 1, mark: (sign > 0 ? "+" : sign < 0 ? "−" : "?") + (delay ? " ||" : "") } });
      refreshLists();
    });
    byId("delete-selected").addEventListener("click", function () {
      var sel = cy.$(":selected");
      if (!sel.length) { say(text.textChoose); return; }
      remember(); sel.remove(); refreshLists();
    });
    var moves = { "move-left": [-30, 0], "move-right": [30, 0], "move-up": [0, -30], "move-down": [0, 30] };
    Object.keys(moves).forEach(function (id) {
      byId(id).addEventListener("click", function () {
        var nodes = cy.nodes(":selected");
        if (!nodes.length) { say(text.textChoose); return; }
        remember();
        nodes.forEach(function (n) { var p = n.position(); n.position({ x: p.x + moves[id][0], y: p.y + moves[id][1] }); });
      });
    });
    function selectedEdges() {
      var edges = cy.edges(":selected");
      if (!edges.length) { say(text.textChoose); }
      return edges;
    }
    function mark(e) { var s = e.data("sign"); return (s > 0 ? "+" : s < 0 ? "−" : "?") + (e.data("delay") ? " ||" : ""); }
    byId("cycle-sign").addEventListener("click", function () {
      var edges = selectedEdges();
      if (!edges.length) { return; }
      remember();
      edges.forEach(function (e) { var s = e.data("sign"); e.data("sign", s > 0 ? -1 : s < 0 ? 0 : 1); e.data("mark", mark(e)); });
      refreshLists();
    });
    byId("toggle-delay").addEventListener("click", function () {
      var edges = selectedEdges();
      if (!edges.length) { return; }
      remember();
      edges.forEach(function (e) { e.data("delay", !e.data("delay")); e.data("mark", mark(e)); });
      refreshLists();
    });
    byId("rename").addEventListener("click", function () {
      var nodes = cy.nodes(":selected");
      if (nodes.length !== 1) { say(text.textChoose); return; }
      var label = window.prompt(text.textRename, nodes[0].data("label"));
      if (!label || !label.trim()) { return; }
      remember();
      nodes[0].data("label", label.trim());
      refreshLists();
    });
    byId("arrange").addEventListener("click", function () {
      remember();
      cy.layout({ name: "cose", animate: false, randomize: false }).run();
      cy.fit(undefined, 20);
    });
    byId("undo").addEventListener("click", function () {
      if (!history.length) { say(text.textNothing); return; }
      cy.elements().remove();
      cy.add(history.pop());
      refreshLists();
    });
    byId("save").addEventListener("click", function () {
      var body = {
        factors: cy.nodes().map(function (n) { return { id: n.id(), label: n.data("label"), x: n.position("x"), y: n.position("y") }; }),
        links: cy.edges().map(function (e) { return { id: e.id(), source: e.source().id(), target: e.target().id(),
          sign: e.data("sign"), delay: !!e.data("delay"), strength: e.data("strength") || 1 }; })
      };
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      headers["Content-Type"] = "application/json";
      fetch(text.saveUrl, { method: "POST", headers: headers, body: JSON.stringify(body), credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          if (res.ok) { say(text.textSaved + " " + res.data.version); window.location.reload(); }
          else { say(text.textError + " " + res.data.error); }
        })
        .catch(function (err) { say(text.textError + " " + err); });
    });
  }
  refreshLists();
})();
