/* The moderator console: curate the queue, run the polls, change the settings. */
"use strict";

(() => {
  const { h, send } = Live;
  const _ = LiveI18n.gettext;
  const ngettext = LiveI18n.ngettext;
  const body = document.body;
  const state = Live.createState();
  const $ = (id) => document.getElementById(id);
  let order = "popular";
  let topicShown = "";     // "" shows every topic
  let focusAfter = null;   // the question to focus once an action moved the focused one away
  const editing = new Set();
  const known = new Set();

  // the page's session cookie proves the moderator; the key is never in the page
  // the page renders once the catalogue is in (static/i18n.js), so that it is in one language
  let translated = false;
  const socket = Live.connect(
    { webinar: body.dataset.webinar, moderator: true, participant: body.dataset.participant },
    state, (update) => { if (translated) render(update); });
  LiveI18n.ready.then(() => { translated = true; if (state.webinar) render(null); });
  LiveScreen.follow(socket, state);

  /* Say why an action failed (an offline refusal goes once connected again); true if it worked. */
  function report(ack, where = "mod-message") {
    return Live.say($(where), ack);
  }

  async function moderate(id, action, extra = {}) {
    return report(await send(socket, "moderate", { question: id, action, ...extra }));
  }

  /* -- questions --------------------------------------------------------------------------- */
  // what a card shows in its one row of buttons; the others go in its "More" menu. Which actions
  // a question may be given comes from the server (state.allowed, per status)
  const PRIMARY = ["approve", "on_air", "off_air", "answer", "restore", "dismiss"];
  // read when shown (getters): in the page's language once the catalogue is in
  const LABELS = {
    get approve() { return _("Approve"); }, get on_air() { return _("Put on screen"); },
    get off_air() { return _("Take off screen"); }, get answer() { return _("Mark answered"); },
    get restore() { return _("Restore"); }, get dismiss() { return _("Dismiss…"); },
    get archive() { return _("Archive"); }, get merge() { return _("Merge into…"); },
    get edit() { return _("Edit"); }, get topic() { return _("Topic…"); }, get reply() { return _("Write an answer"); },
  };
  const allowed = (q) => (state.allowed[q.status] || [])
    .filter((a) => (a === "on_air" ? q.id !== state.onAir : a === "off_air" ? q.id === state.onAir : true))
    .filter((a) => a !== "topic" || state.webinar.topics.length > 0)
    // an answered question goes back to live with Restore: not a main action there
    .filter((a) => a !== "restore" || q.status !== "answered");

  function createQuestion(q) {
    const el = h("li", { class: "question", tabindex: "0" },
      h("p", { class: "badge on-air-badge" }, _("On screen")),
      h("div", { class: "question-text" }),
      h("div", { class: "reply" }, h("p", { class: "reply-label" }, _("Written answer")),
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
    const status = Live.STATUS_LABELS[q.status];
    const said = q.status === "dismissed" && q.reason
      ? _("%(status)s (%(reason)s)", { status, reason: Live.REASON_LABELS[q.reason] })
      : q.status === "merged" ? _("merged into #%(id)s", { id: q.merged_into }) : status;
    el.querySelector(".meta").textContent = [q.name || _("Anonymous"),
      ngettext("%(num)d upvote", "%(num)d upvotes", q.upvotes),
      q.asked_by > 1 ? ngettext("asked by %(num)d person", "asked by %(num)d people", q.asked_by) : "",
      q.topic ? Live.topicName(state.webinar, q.topic) : "",
      q.held && q.status === "pending" ? _("held by the filter") : "",
      said].filter(Boolean).join(" · ");
    el.querySelector(".reply").hidden = !q.reply;
    el.querySelector(".reply-text").textContent = q.reply || "";
    if (editing.has(q.id)) return;  // keep the moderator's half-edited text
    el.querySelector(".question-text").replaceChildren(q.text);
    const actions = allowed(q);
    const signature = `${actions.join()}:${Boolean(q.reply)}`;
    const row = el.querySelector(".actions");
    // the same buttons: keep them, with the focus and an open menu; a small form stays open
    if (row.dataset.signature === signature || row.dataset.signature === "inline") return;
    row.dataset.signature = signature;
    const label = (a) => (a === "reply" && q.reply ? _("Change the answer") : LABELS[a]);
    const main = PRIMARY.filter((a) => actions.includes(a));
    const more = actions.filter((a) => !PRIMARY.includes(a));
    row.replaceChildren(
      ...main.map((a) => h("button", { type: "button", dataset: { action: a },
        class: a === "approve" || a === "on_air" ? "primary" : null, onclick: () => run(el, q.id, a) }, label(a))),
      more.length ? LiveMenu.menuButton(_("More"), _("More actions"), more.map((a) => [label(a), () => run(el, q.id, a)])) : null);
  }

  /* Do an action from a card: those that ask for more open a small form in the card. */
  function run(el, id, action) {
    const q = state.questions.get(id);
    const opens = { dismiss: chooseReason, merge: chooseTarget, topic: chooseTopic, edit, reply: writeAnswer };
    if (opens[action]) opens[action](el, q);
    else act(el, id, action);
  }

  /* Close a card's small form: its buttons come back, the card has the focus. */
  function closer(el, q) {
    return () => {
      editing.delete(q.id);
      const row = el.querySelector(".actions");
      delete row.dataset.signature;
      updateQuestion(el, state.questions.get(q.id) || q);
      el.focus();
    };
  }

  /* Dismissing asks why: the author sees the reason, everyone the count per reason. */
  function chooseReason(el, q) {
    const close = closer(el, q);
    const group = h("div", { class: "reasons", role: "group", "aria-label": _("Dismiss as") },
      h("span", { class: "reasons-label", "aria-hidden": "true" }, _("Dismiss as:")),
      ...Live.REASONS.map(([code, label]) => h("button", { type: "button", dataset: { reason: code },
        onclick: () => act(el, q.id, "dismiss", { reason: code }) }, label())),
      h("button", { type: "button", onclick: close }, _("Cancel")));
    group.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    inline(el, group, group.querySelector("button"));
  }

  /* Put a small form or group in place of a card's buttons, and focus `first`. */
  function inline(el, content, first) {
    const row = el.querySelector(".actions");
    row.dataset.signature = "inline";
    row.replaceChildren(content);
    first.focus();
  }

  /* One small form for the card: a label, a field, save and cancel; Escape cancels. `where`:
     "actions" (a field in a row, in place of the buttons), "answer" (a box there) or "text" (in
     place of the question's text). */
  function cardForm(el, q, { id, label, field, save, submit, where = "actions" }) {
    const close = closer(el, q);
    const form = h("form", { class: where === "actions" ? "inline-form" : "stack edit-form" },
      h("label", { for: id }, label), field,
      h("div", { class: "form-buttons" },
        h("button", { type: "submit", class: "primary" }, save),
        h("button", { type: "button", onclick: close }, _("Cancel"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await submit()) close();
    });
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    // a written answer is typed under the question, an edit in its place
    if (where !== "text") { inline(el, form, field); return form; }
    editing.add(q.id);
    el.querySelector(".question-text").replaceChildren(form);
    el.querySelector(".actions").replaceChildren();
    field.focus();
    return form;
  }

  /* Tag a question with one of the webinar's topics, or none. */
  function chooseTopic(el, q) {
    const select = h("select", { id: `topic-${q.id}` }, h("option", { value: "" }, _("No topic")),
      ...state.webinar.topics.map((t) => h("option", { value: t }, Live.topicName(state.webinar, t))));
    select.value = q.topic || "";
    cardForm(el, q, { id: select.id, label: _("Topic"), field: select, save: _("Save the topic"),
      submit: () => moderate(q.id, "topic", { topic: select.value || null }) });
  }

  /* Merging a duplicate into the question already asked: its upvoters and askers join that one.
     The chooser fits the card, and typing in it narrows the list. */
  function chooseTarget(el, q) {
    const targets = [...state.questions.values()]
      .filter((t) => t.id !== q.id && (t.status === "live" || t.status === "answered"))
      .sort(Live.byPopularity);
    if (!targets.length) {
      report({ ok: false, message: _("There is no live or answered question to merge into.") });
      return;
    }
    const select = h("select", { id: `merge-${q.id}`, size: String(Math.min(5, targets.length + 1)) });
    const search = h("input", { type: "search", id: `merge-search-${q.id}`, autocomplete: "off" });
    const fill = () => {
      const words = search.value.toLowerCase().trim();
      const shown = targets.filter((t) => !words || `#${t.id} ${t.text}`.toLowerCase().includes(words));
      select.replaceChildren(...shown.map((t) => h("option", { value: String(t.id) }, `#${t.id}: ${t.text}`)));
      if (shown.length) select.selectedIndex = 0;
    };
    search.addEventListener("input", fill);
    fill();
    const form = cardForm(el, q, { id: select.id, label: _("Merge into"), field: select, save: _("Merge"),
      submit: () => select.value ? act(el, q.id, "merge", { into: Number(select.value) })
        : report({ ok: false, message: _("Choose the question to merge into.") }) });
    form.classList.add("merge-form");
    form.insertBefore(h("div", { class: "stack" },
      h("label", { for: search.id }, _("Find the question to merge into")), search), form.firstChild);
    search.focus();
  }

  function act(el, id, action, extra = {}) {
    // the question may move to another section: keep the keyboard where the moderator works
    const next = el.nextElementSibling || el.previousElementSibling;
    focusAfter = next && next.dataset.id ? Number(next.dataset.id) : null;
    return moderate(id, action, extra);
  }

  /* A written answer, for questions there was no time to answer live; empty removes it. */
  function writeAnswer(el, q) {
    const box = h("textarea", { id: `reply-${q.id}`, rows: "4", maxlength: "2000" });
    box.value = q.reply || "";
    cardForm(el, q, { id: box.id, label: _("Written answer (attendees see it under the question)"),
      field: box, save: _("Save the answer"), where: "answer",
      submit: () => moderate(q.id, "reply", { text: box.value }) });
  }

  function edit(el, q) {
    const box = h("textarea", { id: `edit-${q.id}`, rows: "3", maxlength: state.webinar.settings.max_question_length });
    box.value = q.text;
    const form = cardForm(el, q, { id: box.id, label: _("Edit the question"), field: box, save: _("Save"),
      where: "text", submit: () => moderate(q.id, "edit", { text: box.value }) });
    // questions are one paragraph: Enter saves
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
  }

  // keyboard shortcuts on a focused question, and j/k to move between questions
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select, [role=menu]")) return;
    const items = [...document.querySelectorAll("li.question[data-id]")];
    const item = event.target.closest && event.target.closest("li.question[data-id]");
    if (event.key === "j" || event.key === "k") {
      const at = items.indexOf(item);
      const next = items[event.key === "j" ? at + 1 : (at < 0 ? items.length : at) - 1];
      if (next) { event.preventDefault(); next.focus(); }
      return;
    }
    if (!item || event.target !== item) return;
    const q = state.questions.get(Number(item.dataset.id));
    const action = { a: "approve", d: "dismiss", e: "edit", m: "answer", r: "archive",
                     s: q.id === state.onAir ? "off_air" : "on_air" }[event.key];
    if (action && allowed(q).includes(action)) { event.preventDefault(); run(item, q.id, action); }
  });

  Live.topicFilter((topic) => { topicShown = topic; render(null); });
  Live.orderToolbar((chosen) => { order = chosen; render(null); });

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
      if (!items.length) list.append(h("li", { class: "empty" }, _("None")));
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
    if (waiting) Live.announce(ngettext("%(num)d question waiting for review", "%(num)d questions waiting for review", waiting));
    else if (fresh.length) Live.announce(ngettext("%(num)d new question", "%(num)d new questions", fresh.length));
  }

  /* -- polls: static/console-polls.js ------------------------------------------------------ */
  const renderPolls = LiveConsolePolls.mount({ socket, state, report, showOnScreen, render });

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
      $("copy-status").textContent = _("Link copied");
    } catch {
      // clipboard access needs https or localhost: select the link so that Ctrl+C copies it
      const range = document.createRange();
      range.selectNodeContents($("join-url"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      $("copy-status").textContent = _("Link selected: press Ctrl+C to copy it");
    }
  });

  /* -- the moderator key ------------------------------------------------------------------- */
  $("rotate-key").addEventListener("click", async () => {
    if (!window.confirm(_("Change the moderator key? Everyone else using the current moderator link is signed out."))) return;
    const ack = await send(socket, "rotate_key", {});
    if (!report(ack, "rotate-message")) return;
    $("new-key").hidden = false;
    $("new-moderator-url").value = ack.moderator_url;
    $("new-moderator-url").focus();
    $("new-moderator-url").select();
    // renew this browser's session with the new key, so that a reload keeps it signed in
    const link = new URL(ack.moderator_url);
    await fetch(link.pathname + link.search, { credentials: "same-origin" });
    $("rotate-message").textContent = _("Key changed: other moderators were signed out. Keep the new link safe.");
  });

  $("copy-moderator-url").addEventListener("click", async () => {
    $("new-moderator-url").select();
    try {
      await navigator.clipboard.writeText($("new-moderator-url").value);
      $("rotate-message").textContent = _("New link copied");
    } catch {
      $("rotate-message").textContent = _("Link selected: press Ctrl+C to copy it");
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
    const text = _("On screen: %(what)s", { what: LiveScreen.describe(state) });
    $("screen-now").textContent = text;
    if (described !== null && described !== `${screen.kind}:${screen.id}`) Live.announce(text);
    described = `${screen.kind}:${screen.id}`;
  }

  /* -- the language of the projector, the overlay and the downloads --------------------------- */
  // the webinar's by default; a moderator's other choice is kept in this browser for the webinar
  const outputLanguage = $("output-language");
  const OUTPUT_KEY = `live-output-language:${document.body.dataset.webinar}`;
  function useOutputLanguage() {
    const chosen = outputLanguage.value;
    const own = chosen === outputLanguage.dataset.webinarLanguage;
    for (const link of document.querySelectorAll("a[data-in-language]")) {
      const url = new URL(link.getAttribute("href"), location.href);
      if (own) url.searchParams.delete("lang"); else url.searchParams.set("lang", chosen);
      link.setAttribute("href", url.pathname + url.search);
    }
    try {
      if (own) localStorage.removeItem(OUTPUT_KEY); else localStorage.setItem(OUTPUT_KEY, chosen);
    } catch (error) { /* storage refused: the choice lasts for this page */ }
  }
  if (outputLanguage) {
    try {
      const kept = localStorage.getItem(OUTPUT_KEY);
      if (kept && [...outputLanguage.options].some((o) => o.value === kept)) outputLanguage.value = kept;
    } catch (error) { /* storage refused */ }
    outputLanguage.addEventListener("change", useOutputLanguage);
    useOutputLanguage();
  }

  /* -- the moderation log ------------------------------------------------------------------ */
  // the log keeps what the server wrote (action codes, and details in its own words): each line
  // is said in the console's language here, a detail it does not know as it was written
  // each action as one phrase with its target (word order differs between languages)
  const LOGGED = {
    approve: (id) => _("approved question #%(id)s", { id }),
    dismiss: (id) => _("dismissed question #%(id)s", { id }),
    answer: (id) => _("marked question #%(id)s answered", { id }),
    archive: (id) => _("archived question #%(id)s", { id }),
    restore: (id) => _("restored question #%(id)s", { id }),
    on_air: (id) => _("put question #%(id)s on screen", { id }),
    off_air: (id) => _("took question #%(id)s off screen", { id }),
    edit: (id) => _("edited question #%(id)s", { id }),
    merge: (id) => _("merged question #%(id)s", { id }),
    reply: (id) => _("answered question #%(id)s in writing", { id }),
    topic: (id) => _("tagged question #%(id)s", { id }),
    open: (id) => _("opened poll #%(id)s", { id }),
    close: (id) => _("closed poll #%(id)s", { id }),
    show_results: (id) => _("showed the results of poll #%(id)s", { id }),
    hide_results: (id) => _("hid the results of poll #%(id)s", { id }),
    create_poll: (id) => _("created poll #%(id)s", { id }),
    show_answer: (id) => _("showed an answer of poll #%(id)s", { id }),
    hide_answer: (id) => _("hid an answer of poll #%(id)s", { id }),
    settings: () => _("changed the settings:"),
    rotate_key: () => _("changed the moderator key"),
    purge: () => _("removed personal data"),
  };
  const SCREENS = {
    welcome: () => _("the welcome screen"), top: () => _("the top questions"),
    blank: () => _("a blank screen"), question: (id) => _("question #%(id)s", { id }),
    poll: (id) => _("poll #%(id)s", { id }), results: (id) => _("the results of poll #%(id)s", { id }),
  };
  const SETTINGS = {
    get premoderation() { return _("pre-moderation"); }, get max_question_length() { return _("maximum question length"); },
    get ask_names() { return _("names asked"); }, get follow_up() { return _("follow-up page"); },
    get show_passcode() { return _("passcode on screen"); }, get passcode_in_qr() { return _("passcode in the QR code"); },
    get word_filter() { return _("word filter"); },
  };
  const SERVER_DETAILS = {
    get "from the command line"() { return _("from the command line"); },
    get "through the API"() { return _("through the API"); },
    get "its time was up"() { return _("its time was up"); },
    get "written answer"() { return _("written answer"); },
    get "written answer removed"() { return _("written answer removed"); },
    get "no topic"() { return _("no topic"); },
  };
  // what a purge removed, as live/personal_text.py counts it ("3 names, 1 email address")
  const REMOVED = [
    [/^(\d+) names?$/, (n) => ngettext("%(num)d name", "%(num)d names", n)],
    [/^(\d+) email address(es)?$/, (n) => ngettext("%(num)d email address", "%(num)d email addresses", n)],
    [/^(\d+) links? to (a question|questions)$/, (n) => ngettext("%(num)d link to a question", "%(num)d links to questions", n)],
    [/^(\d+) links? to (an upvote|upvotes)$/, (n) => ngettext("%(num)d link to an upvote", "%(num)d links to upvotes", n)],
    [/^(\d+) links? to (a ballot|ballots)$/, (n) => ngettext("%(num)d link to a ballot", "%(num)d links to ballots", n)],
  ];

  function settingsDetail(detail) {
    // "follow_up on, premoderation off, word_filter ('de', 'fr')": each name with its value
    const names = Object.keys(SETTINGS).join("|");
    const said = [...detail.matchAll(new RegExp(`(${names}) (.*?)(?=, (?:${names}) |$)`, "g"))];
    if (!said.length) return detail;
    const value = (v) => (v === "on" ? _("on") : v === "off" ? _("off") : v);
    return said.map(([, name, v]) => `${SETTINGS[name]}: ${value(v)}`).join(", ");
  }

  function purgeDetail(detail) {
    const parts = detail.replace(/^personal data removed: /, "").split(", ");
    const counted = parts.map((part) => {
      const found = REMOVED.find(([pattern]) => pattern.test(part));
      return found ? found[1](Number(part.match(found[0])[1])) : null;
    });
    return counted.every(Boolean) ? counted.join(", ") : detail;
  }

  function logDetail(e) {
    const detail = e.detail || "";
    if (!detail) return "";
    if (e.action === "settings") return settingsDetail(detail);
    if (e.action === "purge") return `(${purgeDetail(detail)})`;
    if (e.action === "dismiss" && Live.REASON_LABELS[detail]) return `(${Live.REASON_LABELS[detail]})`;
    if (e.action === "topic" && detail !== "no topic") return `(${Live.topicName(state.webinar, detail)})`;
    const merged = detail.match(/^into #(\d+)$/);
    if (merged) return `(${_("into question #%(id)s", { id: merged[1] })})`;
    const timed = detail.match(/^for (\d+) s$/);
    if (timed) return `(${ngettext("for %(num)d second", "for %(num)d seconds", Number(timed[1]))})`;
    return `(${SERVER_DETAILS[detail] || detail})`;
  }

  function logLine(e) {
    const when = new Date(e.at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
    const who = e.moderator ? _("moderator %(num)s", { num: e.moderator }) : _("the server");
    let what;
    if (e.action === "screen") {
      const shown = SCREENS[e.detail] ? SCREENS[e.detail](e.target) : e.detail;
      what = _("put on screen: %(what)s", { what: shown });
    } else {
      const phrase = LOGGED[e.action] ? LOGGED[e.action](e.target) : [e.action, e.target !== null ? `#${e.target}` : ""].join(" ");
      what = [phrase, logDetail(e)].filter(Boolean).join(" ");
    }
    return `${when} · ${who} · ${what}`;
  }

  function renderLog() {
    const entries = [...state.log.values()].sort((x, y) => y.id - x.id);
    Live.syncList($("log"), entries, (e) => e.id, (e) => h("li", {}, logLine(e)),
      // said again once the catalogue is in (the first rendering may come before it)
      (el, e) => { const line = logLine(e); if (el.textContent !== line) el.textContent = line; });
  }

  function render(update) {
    if (!state.webinar) return;
    $("premoderation").checked = state.webinar.settings.premoderation;
    $("follow-up").checked = state.webinar.settings.follow_up;
    $("online").textContent = state.online;
    renderQueue(update);
    renderLog();
    const polls = [...state.polls.values()];
    renderPolls();
    renderScreen();
    $("total-ballots").textContent = polls.reduce((n, p) => n + (p.results ? p.results.voters : 0), 0);
  }
})();
