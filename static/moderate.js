/* The moderator console: curate the queue, run the polls, change the settings. */
"use strict";

(() => {
  const { h, send, plural } = Live;
  const body = document.body;
  const state = Live.createState();
  const $ = (id) => document.getElementById(id);
  let order = "popular";
  let topicShown = "";     // "" shows every topic
  let focusAfter = null;   // the question to focus once an action moved the focused one away
  const editing = new Set();
  const known = new Set();

  // the page's session cookie proves the moderator; the key is never in the page
  const socket = Live.connect(
    { webinar: body.dataset.webinar, moderator: true, participant: body.dataset.participant },
    state, render);
  LiveScreen.follow(socket, state);

  function report(ack, where = "mod-message") {
    const el = $(where);
    el.textContent = ack.ok ? "" : ack.message;
    el.classList.toggle("error", !ack.ok);
    return ack.ok;
  }

  async function moderate(id, action, extra = {}) {
    return report(await send(socket, "moderate", { question: id, action, ...extra }));
  }

  /* -- questions --------------------------------------------------------------------------- */
  const ACTIONS = {
    pending: [["Approve", "approve"], ["Dismiss", "dismiss"], ["Merge", "merge"], ["Archive", "archive"]],
    live: [["Mark answered", "answer"], ["Dismiss", "dismiss"], ["Merge", "merge"], ["Archive", "archive"]],
    answered: [["Restore", "restore"], ["Dismiss", "dismiss"], ["Merge", "merge"], ["Archive", "archive"]],
    dismissed: [["Restore", "restore"], ["Archive", "archive"]],
    archived: [["Restore", "restore"]],
    merged: [],
  };

  function createQuestion(q) {
    const el = h("li", { class: "question", tabindex: "0" },
      h("p", { class: "badge on-air-badge" }, "On screen"),
      h("div", { class: "question-text" }),
      h("div", { class: "reply" }, h("p", { class: "reply-label" }, "Written answer"),
        h("p", { class: "reply-text" })),
      h("p", { class: "meta" }),
      h("div", { class: "actions" }));
    updateQuestion(el, q);
    return el;
  }

  function updateQuestion(el, q) {
    const onAir = q.id === state.onAir;
    el.dataset.id = q.id;
    el.dataset.status = q.status;
    el.classList.toggle("on-air", onAir);
    el.querySelector(".on-air-badge").hidden = !onAir;
    const why = q.status === "dismissed" && q.reason ? ` (${Live.REASON_LABELS[q.reason]})`
      : q.status === "merged" ? ` into #${q.merged_into}` : "";
    const askers = (q.asked_by > 1 ? ` · asked by ${q.asked_by} people` : "")
      + (q.topic ? ` · ${q.topic}` : "")
      + (q.held && q.status === "pending" ? " · held by the filter" : "");
    el.querySelector(".meta").textContent =
      `${q.name || "Anonymous"} · ${plural(q.upvotes, "upvote", "upvotes")}${askers} · ${Live.STATUS_LABELS[q.status]}${why}`;
    el.querySelector(".reply").hidden = !q.reply;
    el.querySelector(".reply-text").textContent = q.reply || "";
    if (editing.has(q.id)) return;  // keep the moderator's half-edited text
    el.querySelector(".question-text").replaceChildren(q.text);
    const opens = { dismiss: ["Dismiss…", chooseReason], merge: ["Merge into…", chooseTarget],
                    topic: ["Topic…", chooseTopic] };
    const buttons = ACTIONS[q.status].map(([label, action]) => action in opens
      ? h("button", { type: "button", dataset: { action },
                      onclick: () => opens[action][1](el, q) }, opens[action][0])
      : h("button", { type: "button", dataset: { action }, onclick: () => act(el, q.id, action) }, label));
    if (q.status === "live" || q.status === "answered") {
      buttons.unshift(h("button", { type: "button", class: onAir ? "primary" : null,
        dataset: { action: onAir ? "off_air" : "on_air" },
        onclick: () => act(el, q.id, onAir ? "off_air" : "on_air") },
        onAir ? "Take off screen" : "Put on screen"));
    }
    buttons.push(h("button", { type: "button", dataset: { action: "edit" }, onclick: () => edit(el, q) }, "Edit"));
    if (state.webinar.topics.length && q.status !== "merged") {
      buttons.push(h("button", { type: "button", dataset: { action: "topic" }, onclick: () => chooseTopic(el, q) }, "Topic…"));
    }
    if (q.status !== "merged") {
      buttons.push(h("button", { type: "button", dataset: { action: "reply" }, onclick: () => writeAnswer(el, q) },
        q.reply ? "Change the answer" : "Write an answer"));
    }
    el.querySelector(".actions").replaceChildren(...buttons);
  }

  /* Dismissing asks why: the author sees the reason, everyone the count per reason. */
  function chooseReason(el, q) {
    const actions = el.querySelector(".actions");
    const close = () => { updateQuestion(el, state.questions.get(q.id) || q); el.focus(); };
    const group = h("div", { class: "reasons", role: "group", "aria-label": "Dismiss as" },
      h("span", { class: "reasons-label", "aria-hidden": "true" }, "Dismiss as:"),
      ...Live.REASONS.map(([code, label]) => h("button", { type: "button", dataset: { reason: code },
        onclick: () => act(el, q.id, "dismiss", { reason: code }) }, label)),
      h("button", { type: "button", onclick: close }, "Cancel"));
    group.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    actions.replaceChildren(group);
    group.querySelector("button").focus();
  }

  /* Tag a question with one of the webinar's topics, or none. */
  function chooseTopic(el, q) {
    const actions = el.querySelector(".actions");
    const close = () => { updateQuestion(el, state.questions.get(q.id) || q); el.focus(); };
    const select = h("select", { id: `topic-${q.id}` }, h("option", { value: "" }, "No topic"),
      ...state.webinar.topics.map((t) => h("option", { value: t }, t)));
    select.value = q.topic || "";
    const form = h("form", { class: "merge-form" },
      h("label", { for: `topic-${q.id}` }, "Topic"), select,
      h("button", { type: "submit", class: "primary" }, "Save the topic"),
      h("button", { type: "button", onclick: close }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await moderate(q.id, "topic", { topic: select.value || null })) close();
    });
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    actions.replaceChildren(form);
    select.focus();
  }

  /* Merging a duplicate into the question already asked: its upvoters and askers join that one. */
  function chooseTarget(el, q) {
    const actions = el.querySelector(".actions");
    const close = () => { updateQuestion(el, state.questions.get(q.id) || q); el.focus(); };
    const targets = [...state.questions.values()]
      .filter((t) => t.id !== q.id && (t.status === "live" || t.status === "answered"))
      .sort(Live.byPopularity);
    if (!targets.length) {
      report({ ok: false, message: "There is no live or answered question to merge into." });
      return;
    }
    const select = h("select", { id: `merge-${q.id}` }, ...targets.map((t) =>
      h("option", { value: String(t.id) }, `#${t.id}: ${t.text.length > 80 ? `${t.text.slice(0, 79)}…` : t.text}`)));
    const form = h("form", { class: "merge-form" },
      h("label", { for: `merge-${q.id}` }, "Merge into"), select,
      h("button", { type: "submit", class: "primary" }, "Merge"),
      h("button", { type: "button", onclick: close }, "Cancel"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(el, q.id, "merge", { into: Number(select.value) });
    });
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    actions.replaceChildren(form);
    select.focus();
  }

  function act(el, id, action, extra = {}) {
    // the question may move to another section: keep the keyboard where the moderator works
    const next = el.nextElementSibling || el.previousElementSibling;
    focusAfter = next && next.dataset.id ? Number(next.dataset.id) : null;
    return moderate(id, action, extra);
  }

  /* A written answer, for questions there was no time to answer live; empty removes it. */
  function writeAnswer(el, q) {
    editing.add(q.id);
    const box = h("textarea", { id: `reply-${q.id}`, rows: "4", maxlength: "2000" });
    box.value = q.reply || "";
    const done = () => { editing.delete(q.id); updateQuestion(el, state.questions.get(q.id) || q); el.focus(); };
    const form = h("form", { class: "stack edit-form" },
      h("label", { for: `reply-${q.id}` }, "Written answer (attendees see it under the question)"),
      box,
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary" }, "Save the answer"),
        h("button", { type: "button", onclick: done }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await moderate(q.id, "reply", { text: box.value })) done();
    });
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") done(); });
    el.querySelector(".actions").replaceChildren(form);
    box.focus();
  }

  function edit(el, q) {
    editing.add(q.id);
    const box = h("textarea", { id: `edit-${q.id}`, rows: "3", maxlength: state.webinar.settings.max_question_length });
    box.value = q.text;
    const done = () => { editing.delete(q.id); updateQuestion(el, state.questions.get(q.id) || q); el.focus(); };
    const form = h("form", { class: "stack edit-form" },
      h("label", { for: `edit-${q.id}` }, "Edit the question"),
      box,
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary" }, "Save"),
        h("button", { type: "button", onclick: done }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await moderate(q.id, "edit", { text: box.value })) done();
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") done();
      // questions are one paragraph: Enter saves
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
    el.querySelector(".question-text").replaceChildren(form);
    el.querySelector(".actions").replaceChildren();
    box.focus();
  }

  // keyboard shortcuts on a focused question, and j/k to move between questions
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select")) return;
    const items = [...document.querySelectorAll("li.question[data-id]")];
    const item = event.target.closest && event.target.closest("li.question[data-id]");
    if (event.key === "j" || event.key === "k") {
      const at = items.indexOf(item);
      const next = items[event.key === "j" ? at + 1 : (at < 0 ? items.length : at) - 1];
      if (next) { event.preventDefault(); next.focus(); }
      return;
    }
    if (!item || event.target !== item) return;
    const id = Number(item.dataset.id);
    const q = state.questions.get(id);
    if (event.key === "e") { event.preventDefault(); edit(item, q); return; }
    if (event.key === "d" && ACTIONS[q.status].some(([, a]) => a === "dismiss")) {
      event.preventDefault();
      chooseReason(item, q);
      return;
    }
    const action = { a: "approve", m: "answer", r: "archive",
                     s: id === state.onAir ? "off_air" : "on_air" }[event.key];
    if (action) { event.preventDefault(); act(item, id, action); }
  });

  Live.topicFilter((topic) => { topicShown = topic; render(null); });

  for (const button of document.querySelectorAll("button.order")) {
    button.addEventListener("click", () => {
      order = button.dataset.order;
      for (const other of document.querySelectorAll("button.order")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      render(null);
    });
  }

  function renderQueue(update) {
    const sections = { pending: [], live: [], answered: [], closed: [] };
    for (const q of state.questions.values()) {
      if (topicShown && q.topic !== topicShown) continue;
      const closed = q.status === "dismissed" || q.status === "archived" || q.status === "merged";
      sections[closed ? "closed" : q.status].push(q);
    }
    sections.live.sort(order === "popular" ? Live.byPopularity : Live.byRecency);
    for (const name of ["pending", "answered", "closed"]) sections[name].sort((a, b) => a.id - b.id);
    for (const [name, items] of Object.entries(sections)) {
      const list = $(name);
      Live.syncList(list, items, (q) => q.id, createQuestion, updateQuestion);
      if (!items.length) list.append(h("li", { class: "empty" }, "None"));
    }
    if (focusAfter !== null && (!document.activeElement || document.activeElement === document.body)) {
      const next = document.querySelector(`li.question[data-id="${focusAfter}"]`);
      if (next) next.focus();
      focusAfter = null;
    }
    const premoderation = state.webinar.settings.premoderation;
    $("pending-heading").hidden = $("pending").hidden = !premoderation && sections.pending.length === 0;
    $("total-questions").textContent = state.questions.size;
    const open = [...state.questions.values()].filter((q) => ["pending", "live", "answered"].includes(q.status));
    for (const dd of document.querySelectorAll(".topic-counts dd")) {
      dd.textContent = open.filter((q) => (q.topic || "") === dd.dataset.topic).length;
    }
    $("total-upvotes").textContent = [...state.questions.values()].reduce((n, q) => n + q.upvotes, 0);

    const fresh = (update ? update.questions || [] : []).filter((q) => !known.has(q.id));
    for (const q of state.questions.values()) known.add(q.id);
    const waiting = fresh.filter((q) => q.status === "pending").length;
    if (waiting) Live.announce(`${plural(waiting, "question", "questions")} waiting for review`);
    else if (fresh.length) Live.announce(plural(fresh.length, "new question", "new questions"));
  }

  /* -- polls ------------------------------------------------------------------------------- */
  async function pollAction(id, action, seconds) {
    report(await send(socket, "poll", seconds ? { poll: id, action, seconds } : { poll: id, action }));
  }

  function createPoll(poll) {
    const el = h("article", { class: "card poll" },
      h("p", { class: "badge on-air-badge on-screen-badge", hidden: true }),
      h("h3", {}, poll.prompt), h("p", { class: "meta" }), h("div", { class: "timer" }),
      Live.results(poll), h("div", { class: "actions" }));
    updatePoll(el, poll);
    return el;
  }

  function updatePoll(el, poll) {
    el.querySelector(".meta").textContent = `${{ single: "Single choice", multiple: "Multiple choice", rating: "Rating, 1 to 5 stars", words: "Word cloud", text: "Open text", ranking: "Ranking" }[poll.kind]} · `
      + `${{ draft: "Draft", open: "Open", closed: "Closed" }[poll.state]} · `
      + `results ${poll.results_visible ? "shown to attendees" : "hidden from attendees"}`
      + (poll.collects_emails ? ` · ${plural(poll.interested || 0, "email address", "email addresses")} left` : "");
    Live.results(poll, el.querySelector(".results"));
    if (poll.kind === "text") chooseAnswers(el, poll);
    const timer = el.querySelector(".timer");
    if (timer.dataset.closesAt !== String(poll.state === "open" && poll.closes_at)) {
      timer.dataset.closesAt = String(poll.state === "open" && poll.closes_at);
      timer.replaceChildren(...[Live.countdown(poll)].filter(Boolean));
    }
    const screen = state.screen || {};
    const onScreen = screen.id === poll.id && ["poll", "results"].includes(screen.kind) ? screen.kind : null;
    const badge = el.querySelector(".on-screen-badge");
    badge.hidden = !onScreen;
    badge.textContent = onScreen === "results" ? "Results on screen" : "On screen";
    el.classList.toggle("on-air", Boolean(onScreen));
    const buttons = [];
    if (poll.state !== "open") buttons.push(["Open poll", "open", "primary"]);
    if (poll.state === "open") buttons.push(["Close poll", "close", null]);
    buttons.push(poll.results_visible ? ["Hide results", "hide_results", null] : ["Show results", "show_results", null]);
    // what the screen shows is chosen apart from what attendees see
    if (poll.state !== "draft" && onScreen !== "poll") buttons.push(["Put on screen", "screen:poll", null]);
    if (poll.state !== "draft" && onScreen !== "results") buttons.push(["Put results on screen", "screen:results", null]);
    const actions = el.querySelector(".actions");
    const signature = buttons.map((b) => b[1]).join();
    if (actions.dataset.signature === signature) return;  // keep the focused button
    actions.dataset.signature = signature;
    // a poll can be opened for a while: it then closes by itself, with a countdown everywhere
    const limit = h("select", { id: `limit-${poll.id}` },
      ...[["", "No time limit"], ["30", "30 seconds"], ["60", "1 minute"], ["120", "2 minutes"],
          ["300", "5 minutes"]].map(([value, label]) => h("option", { value }, label)));
    const open = (action) => action.startsWith("screen:") ? showOnScreen(action.slice(7), poll.id)
      : action === "open" && limit.value
        ? pollAction(poll.id, action, Number(limit.value)) : pollAction(poll.id, action);
    actions.replaceChildren(
      ...(poll.state !== "open"
        ? [h("label", { for: `limit-${poll.id}`, class: "limit-label" }, "Time limit"), limit] : []),
      ...buttons.map(([label, action, cls]) =>
        h("button", { type: "button", class: cls, onclick: () => open(action) }, label)));
  }

  for (const radio of document.querySelectorAll("input[name=kind]")) {
    radio.addEventListener("change", () => {
      const rating = ["rating", "words", "text"].includes(document.querySelector("input[name=kind]:checked").value);
      $("poll-options-field").hidden = rating;
      $("poll-options").required = !rating;
    });
  }

  /* An open text poll: each answer can be shown on screen (and to attendees), or hidden again. */
  let lastChosen = null;  // the answer whose button was pressed: it keeps the focus when redrawn
  function chooseAnswers(el, poll) {
    const shown = new Set(poll.results.answers.filter((a) => a.shown).map((a) => a.text));
    for (const li of el.querySelectorAll(".answers > li")) {
      const text = li.dataset.text;
      const on = shown.has(text);
      const button = h("button", { type: "button", class: "choose", "aria-pressed": String(on),
        onclick: () => {
          lastChosen = `${poll.id}:${text}`;
          send(socket, "poll", { poll: poll.id, action: on ? "hide_answer" : "show_answer", answer: text })
            .then(report);
        } }, "Show on screen");
      li.append(button);
      if (lastChosen === `${poll.id}:${text}` && document.activeElement === document.body) button.focus();
    }
  }

  $("new-poll").addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = document.querySelector("input[name=kind]:checked").value;
    // a rating poll's options are its stars; a word cloud has none
    const options = ["rating", "words", "text"].includes(kind) ? []
      : $("poll-options").value.split("\n").map((s) => s.trim()).filter(Boolean);
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

  $("follow-up").addEventListener("change", async (event) => {
    const ack = await send(socket, "settings", { follow_up: event.target.checked });
    if (!report(ack)) event.target.checked = !event.target.checked;
  });

  $("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("join-url").href);
      $("copy-status").textContent = "Link copied";
    } catch {
      // clipboard access needs https or localhost: select the link so that Ctrl+C copies it
      const range = document.createRange();
      range.selectNodeContents($("join-url"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      $("copy-status").textContent = "Link selected: press Ctrl+C to copy it";
    }
  });

  /* -- the moderator key ------------------------------------------------------------------- */
  $("rotate-key").addEventListener("click", async () => {
    if (!window.confirm("Change the moderator key? Everyone else using the current moderator link is signed out.")) return;
    const ack = await send(socket, "rotate_key", {});
    if (!report(ack, "rotate-message")) return;
    $("new-key").hidden = false;
    $("new-moderator-url").value = ack.moderator_url;
    $("new-moderator-url").focus();
    $("new-moderator-url").select();
    // renew this browser's session with the new key, so that a reload keeps it signed in
    const link = new URL(ack.moderator_url);
    await fetch(link.pathname + link.search, { credentials: "same-origin" });
    $("rotate-message").textContent = "Key changed: other moderators were signed out. Keep the new link safe.";
  });

  $("copy-moderator-url").addEventListener("click", async () => {
    $("new-moderator-url").select();
    try {
      await navigator.clipboard.writeText($("new-moderator-url").value);
      $("rotate-message").textContent = "New link copied";
    } catch {
      $("rotate-message").textContent = "Link selected: press Ctrl+C to copy it";
    }
  });

  /* -- the screen: its preview, what it shows, the controls ------------------------------- */
  const showPreview = LiveScreen.mount(document.querySelector(".screen-preview"));
  let described = null;

  async function showOnScreen(kind, id = null) {
    report(await send(socket, "screen", id === null ? { kind } : { kind, id }), "screen-message");
  }

  for (const button of document.querySelectorAll(".screen-choice")) {
    button.addEventListener("click", () => showOnScreen(button.dataset.kind));
  }

  // the preview is the 1920x1080 screen scaled to its frame
  const frame = document.querySelector(".screen-frame");
  new ResizeObserver(() => frame.style.setProperty("--preview-scale", frame.clientWidth / 1920)).observe(frame);

  function renderScreen() {
    showPreview(state);
    const screen = state.screen || { kind: "welcome" };
    for (const button of document.querySelectorAll(".screen-choice")) {
      button.setAttribute("aria-pressed", String(button.dataset.kind === screen.kind));
    }
    const text = `On screen: ${LiveScreen.describe(state)}`;
    $("screen-now").textContent = text;
    if (described !== null && described !== `${screen.kind}:${screen.id}`) Live.announce(text);
    described = `${screen.kind}:${screen.id}`;
  }

  /* -- the moderation log ------------------------------------------------------------------ */
  const LOGGED = {
    approve: "approved", dismiss: "dismissed", answer: "marked answered", archive: "archived",
    restore: "restored", on_air: "put on screen", off_air: "took off screen", edit: "edited",
    merge: "merged", reply: "answered in writing", topic: "tagged", open: "opened poll",
    close: "closed poll", show_results: "showed the results of poll",
    hide_results: "hid the results of poll", create_poll: "created poll", settings: "changed the settings:",
    rotate_key: "changed the moderator key", screen: "put on screen", purge: "purged",
  };

  function logLine(e) {
    const when = new Date(e.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const who = e.moderator ? `moderator ${e.moderator}` : "the server";
    const what = [LOGGED[e.action] || e.action, e.target !== null ? `#${e.target}` : "",
      e.detail ? (e.action === "settings" ? e.detail : `(${e.detail})`) : ""].filter(Boolean).join(" ");
    return `${when} · ${who} · ${what}`;
  }

  function renderLog() {
    const entries = [...state.log.values()].sort((x, y) => y.id - x.id);
    Live.syncList($("log"), entries, (e) => e.id, (e) => h("li", {}, logLine(e)), () => {});
  }

  function render(update) {
    if (!state.webinar) return;
    $("premoderation").checked = state.webinar.settings.premoderation;
    $("follow-up").checked = state.webinar.settings.follow_up;
    $("online").textContent = state.online;
    renderQueue(update);
    renderLog();
    const polls = [...state.polls.values()];
    Live.syncList($("poll-list"), polls, (p) => p.id, createPoll, updatePoll);
    renderScreen();
    $("total-ballots").textContent = polls.reduce((n, p) => n + (p.results ? p.results.voters : 0), 0);
  }
})();
