/* The moderator console: curate the queue, run the polls, change the settings. */
"use strict";

(() => {
  const { h, send } = Live;
  const body = document.body;
  const state = Live.createState();
  let order = "popular";
  const $ = (id) => document.getElementById(id);

  // the page's session cookie proves the moderator; the key is never in the page
  const socket = Live.connect(
    { webinar: body.dataset.webinar, moderator: true, participant: body.dataset.participant },
    state, render);

  function report(ack, where = "mod-message") {
    const el = $(where);
    el.textContent = ack.ok ? "" : ack.message;
    el.classList.toggle("error", !ack.ok);
    return ack.ok;
  }

  async function moderate(id, action, extra = {}) {
    report(await send(socket, "moderate", { question: id, action, ...extra }));
  }

  /* -- questions --------------------------------------------------------------------------- */
  const ACTIONS = {
    pending: [["Approve", "approve"], ["Dismiss", "dismiss"], ["Archive", "archive"]],
    live: [["Mark answered", "answer"], ["Dismiss", "dismiss"], ["Archive", "archive"]],
    answered: [["Restore", "restore"], ["Archive", "archive"]],
    dismissed: [["Restore", "restore"], ["Archive", "archive"]],
    archived: [["Restore", "restore"]],
  };

  function questionItem(q) {
    const onAir = q.id === state.onAir;
    const buttons = ACTIONS[q.status].map(([label, action]) =>
      h("button", { type: "button", dataset: { action }, onclick: () => moderate(q.id, action) }, label));
    if (q.status === "live" || q.status === "answered") {
      buttons.unshift(h("button", { type: "button", dataset: { action: "screen" },
        onclick: () => moderate(q.id, onAir ? "off_air" : "on_air") },
        onAir ? "Take off screen" : "Put on screen"));
    }
    buttons.push(h("button", { type: "button", onclick: () => edit(q) }, "Edit"));
    return h("li", { class: `question${onAir ? " on-air" : ""}`, tabindex: "0",
                     dataset: { id: q.id, status: q.status } },
      onAir ? h("p", { class: "badge" }, "On screen") : null,
      h("p", { class: "question-text" }, q.text),
      h("p", { class: "meta" }, `${q.name || "Anonymous"} · ${q.upvotes} ${q.upvotes === 1 ? "upvote" : "upvotes"}`),
      h("div", { class: "actions" }, buttons));
  }

  function edit(q) {
    const text = window.prompt("Edit the question", q.text);
    if (text !== null && text !== q.text) moderate(q.id, "edit", { text });
  }

  // keyboard shortcuts on a focused question
  document.addEventListener("keydown", (event) => {
    const item = event.target.closest && event.target.closest("li.question[data-id]");
    if (!item || event.target.tagName !== "LI" || event.ctrlKey || event.metaKey || event.altKey) return;
    const id = Number(item.dataset.id);
    const onAir = id === state.onAir;
    const action = { a: "approve", d: "dismiss", m: "answer", s: onAir ? "off_air" : "on_air" }[event.key];
    if (action) { event.preventDefault(); moderate(id, action); }
  });

  for (const button of document.querySelectorAll("button.order")) {
    button.addEventListener("click", () => {
      order = button.dataset.order;
      for (const other of document.querySelectorAll("button.order")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      render();
    });
  }

  function renderQueue() {
    const sections = { pending: [], live: [], answered: [], closed: [] };
    for (const q of state.questions.values()) {
      sections[q.status === "dismissed" || q.status === "archived" ? "closed" : q.status].push(q);
    }
    sections.live.sort(order === "popular" ? Live.byPopularity : Live.byRecency);
    sections.pending.sort((a, b) => a.id - b.id);
    const focusedId = document.activeElement && document.activeElement.closest("li.question")
      && document.activeElement.closest("li.question").dataset.id;
    for (const [name, items] of Object.entries(sections)) {
      $(name).replaceChildren(...(items.length ? items.map(questionItem)
        : [h("li", { class: "empty" }, "None")]));
    }
    if (focusedId) {
      const again = document.querySelector(`li.question[data-id="${focusedId}"]`);
      if (again) again.focus();
    }
    $("pending-heading").hidden = $("pending").hidden =
      !state.webinar.settings.premoderation && sections.pending.length === 0;
    $("total-questions").textContent = state.questions.size;
    $("total-upvotes").textContent = [...state.questions.values()].reduce((n, q) => n + q.upvotes, 0);
  }

  /* -- polls ------------------------------------------------------------------------------- */
  async function pollAction(id, action) {
    report(await send(socket, "poll", { poll: id, action }));
  }

  function pollCard(poll) {
    const buttons = [];
    if (poll.state !== "open") buttons.push(["Open poll", "open"]);
    if (poll.state === "open") buttons.push(["Close poll", "close"]);
    buttons.push(poll.results_visible ? ["Hide results", "hide_results"] : ["Show results", "show_results"]);
    return h("article", { class: "card poll", dataset: { id: poll.id } },
      h("h3", {}, poll.prompt),
      h("p", { class: "meta" }, `${poll.kind === "single" ? "Single" : "Multiple"} choice · ${poll.state}` +
        ` · results ${poll.results_visible ? "shown to attendees" : "hidden from attendees"}`),
      Live.results(poll),
      h("div", { class: "actions" }, buttons.map(([label, action]) =>
        h("button", { type: "button", onclick: () => pollAction(poll.id, action) }, label))));
  }

  $("new-poll").addEventListener("submit", async (event) => {
    event.preventDefault();
    const options = $("poll-options").value.split("\n").map((s) => s.trim()).filter(Boolean);
    const kind = document.querySelector("input[name=kind]:checked").value;
    const ack = await send(socket, "create_poll", { prompt: $("poll-prompt").value, kind, options });
    if (report(ack, "new-poll-message")) {
      event.target.reset();
      $("new-poll-message").textContent = "Poll created as a draft: open it when you are ready.";
    }
  });

  /* -- settings and links ------------------------------------------------------------------ */
  $("premoderation").addEventListener("change", async (event) => {
    const ack = await send(socket, "settings", { premoderation: event.target.checked });
    if (!report(ack)) event.target.checked = !event.target.checked;
  });

  $("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("join-url").href);
      $("copy-status").textContent = "Link copied";
    } catch {
      $("copy-status").textContent = "Copying is not allowed here: select the link instead";
    }
  });

  function render() {
    if (!state.webinar) return;
    $("premoderation").checked = state.webinar.settings.premoderation;
    $("online").textContent = state.online;
    renderQueue();
    $("poll-list").replaceChildren(...[...state.polls.values()].map(pollCard));
  }
})();
