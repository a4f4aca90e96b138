/* The attendee page: ask, upvote, answer polls. Mobile first; the list never jumps under a thumb. */
"use strict";

(() => {
  const { h, send } = Live;
  // the catalogue's messages (static/i18n.js); the page renders once they are in
  const _ = LiveI18n.gettext;
  const ngettext = LiveI18n.ngettext;
  let translated = false;
  const body = document.body;
  const state = Live.createState();
  const $ = (id) => document.getElementById(id);
  let order = "popular";
  let topicShown = "";     // "" shows every topic
  let shownOrder = [];     // question ids in the order the reader sees them
  let reorder = true;      // apply the sorted order at the next render
  const known = new Set(); // questions already announced
  let wantAll = false;     // the reader asked for every question: fetch them again after a reconnect
  let loading = null;      // the fetch of the questions the snapshot left out, while it runs
  const pollsAnnounced = new Map(); // poll id -> the state last announced

  const socket = Live.connect(
    { webinar: body.dataset.webinar, participant: body.dataset.participant }, state,
    (update) => { if (translated) render(update); });
  LiveI18n.ready.then(() => { translated = true; if (state.webinar) render(null); });

  /* A message about an action that is not the ask form's nor a poll's (upvoting, loading). */
  function notice(ack) { Live.say($("notice"), ack); }

  /* -- asking ------------------------------------------------------------------------------ */
  const text = $("question-text");
  function limit() { return state.webinar ? state.webinar.settings.max_question_length : text.maxLength; }
  function updateCounter() {
    const left = limit() - text.value.length;
    $("question-counter").textContent = _("%(count)s of %(limit)s characters",
      { count: text.value.length, limit: limit() });
    $("question-counter").classList.toggle("near-limit", left <= 20);
  }
  text.addEventListener("input", updateCounter);

  // one key per draft: a retry after a timeout, whose first try may have arrived, asks once
  let draftKey = null;
  text.addEventListener("input", () => { draftKey = null; });
  function newKey() {
    // getRandomValues works on plain http too (phones on the venue's network), randomUUID does not
    return [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* -- similar questions, while typing ------------------------------------------------------ */
  let suggestTimer = null;
  let suggested = [];   // the similar questions shown, as the server sent them
  text.addEventListener("input", () => {
    clearTimeout(suggestTimer);
    // ask the server once typing pauses, not on every key
    suggestTimer = setTimeout(suggest, 400);
  });

  async function suggest() {
    const typed = text.value;
    const ack = typed.trim().length < 8 ? { ok: true, questions: [] }
      : await send(socket, "suggest", { text: typed });
    if (!ack.ok || text.value !== typed) return;  // an answer for an older draft
    const before = suggested.map((q) => q.id).join();
    suggested = ack.questions;
    renderSimilar();
    if (suggested.length && suggested.map((q) => q.id).join() !== before) {
      $("similar-announcer").textContent = ngettext(
        "%(num)d similar question already asked, below the question field.",
        "%(num)d similar questions already asked, below the question field.", suggested.length);
    }
  }

  function renderSimilar() {
    const current = suggested.map((q) => state.questions.get(q.id) || q);
    Live.syncList($("similar-list"), current, (q) => q.id, createSimilar, updateSimilar);
    $("similar").hidden = current.length === 0;
  }

  function createSimilar(q) {
    const el = h("li", { class: "question similar-question" },
      h("p", { class: "question-text" }),
      h("button", { type: "button", class: "upvote", "aria-pressed": "false",
                    onclick: () => toggleUpvote(q.id) },
        h("span", { class: "upvote-label" }, _("Upvote")),
        h("span", { class: "count" }),
        h("span", { class: "visually-hidden count-unit" })));
    updateSimilar(el, q);
    return el;
  }

  function updateSimilar(el, q) {
    el.querySelector(".question-text").textContent = q.text;
    el.querySelector("button.upvote").setAttribute(
      "aria-pressed", String(Boolean(state.me && state.me.upvoted.has(q.id))));
    el.querySelector(".count").textContent = `${q.upvotes}`;
    el.querySelector(".count-unit").textContent = ` ${ngettext("upvote", "upvotes", q.upvotes)}`;
  }

  const waiting = () => _("Sent. Your question is waiting for review by the moderators.");
  let lastAsked = null;  // the question sent last: its message follows its review

  /* The message under the form follows the review of the question it is about. */
  function renderAskMessage() {
    const q = lastAsked && state.questions.get(lastAsked.id);
    const message = $("ask-message");
    if (!q || q.status === "pending" || message.textContent !== waiting()) return;
    Live.say(message, { ok: true }, q.status === "live" ? _("Your question is approved: it is in the list now.") : "");
    lastAsked = null;
  }

  $("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("ask-message");
    draftKey = draftKey || newKey();
    const payload = { text: text.value, idempotency_key: draftKey };
    const topic = $("question-topic") && $("question-topic").value;
    if (topic) payload.topic = topic;
    const name = $("question-name").value.trim();
    if (name && !$("name-field").hidden) payload.name = name;
    const button = $("send-question");
    button.disabled = true;  // one click, one question
    const ack = await send(socket, "ask", payload);
    button.disabled = false;
    if (!Live.say(message, ack)) {
      text.focus();
      return;
    }
    draftKey = null;
    state.questions.set(ack.question.id, ack.question);
    known.add(ack.question.id);
    if (state.me) state.me.questions.add(ack.question.id);
    // every field starts again (a topic left chosen would tag the next question silently); the
    // name is remembered
    const remembered = $("question-name").value;
    $("ask-form").reset();
    $("question-name").value = remembered;
    updateCounter();
    suggested = [];
    renderSimilar();
    lastAsked = ack.question;
    Live.say(message, ack, ack.question.status === "pending" ? waiting() : _("Sent. Your question is in the list."));
    reorder = true;
    render(null);
  });

  /* -- the two tabs, and asking from the polls' tab --------------------------------------- */
  const selectTab = Live.tabs(document.querySelector(".tabs"));
  $("ask-from-polls").addEventListener("click", () => {
    selectTab($("tab-qa"));
    text.focus();
  });

  // the on-screen keyboard covers the bottom of the page: the send button stays above it
  // (the layout viewport shrinks with it where the browser supports interactive-widget)
  if (window.visualViewport) {
    const viewport = window.visualViewport;
    const fit = () => document.documentElement.style.setProperty("--keyboard",
      `${Math.max(0, window.innerHeight - viewport.height - viewport.offsetTop)}px`);
    viewport.addEventListener("resize", fit);
    viewport.addEventListener("scroll", fit);
  }

  /* -- ordering ---------------------------------------------------------------------------- */
  Live.orderToolbar((chosen) => {
    order = chosen;
    reorder = true;
    render(null);
  });
  Live.topicFilter((topic) => {
    topicShown = topic;
    reorder = true;
    render(null);
    // a topic's questions may be among those the snapshot left out
    if (topic && state.moreQuestions) loadAll(false);
  });
  $("load-more").addEventListener("click", () => loadAll(true));

  /* Fetch the questions the snapshot left out; `focusNew`: then focus the first one shown. */
  function loadAll(focusNew) {
    wantAll = true;
    if (loading) return loading;
    const before = new Set(shownOrder);
    $("load-more").disabled = true;
    loading = Live.loadQuestions(socket, state).then((done) => {
      loading = null;
      $("load-more").disabled = false;
      if (!done) { notice({ ok: false, message: _("The other questions could not be loaded. Try again in a moment.") }); return; }
      reorder = true;
      render(null);
      Live.announce(_("Every question is shown now."));
      const first = focusNew && shownOrder.find((id) => !before.has(id));
      const el = first && $("questions").querySelector(`[data-key="${first}"]`);
      if (el) { el.tabIndex = -1; el.focus(); }
    });
    return loading;
  }

  $("show-new").addEventListener("click", () => {
    reorder = true;
    render(null);
    $("questions-heading").focus();
  });

  /* -- the question list ------------------------------------------------------------------- */
  /* A compact card: the question, its answer, then who asked and the upvote in one row. */
  function createQuestion(q) {
    const el = h("li", { class: "question" },
      h("p", { class: "badge on-air-badge" }, _("On screen now")),
      h("p", { class: "question-text" }),
      h("div", { class: "reply" }, h("p", { class: "reply-label" }, _("Answer from the moderators")),
        h("p", { class: "reply-text" })),
      h("div", { class: "question-foot" },
        h("div", { class: "foot-text" }, h("p", { class: "topic-tag" }), h("p", { class: "meta" })),
        h("button", { type: "button", class: "upvote", "aria-pressed": "false",
                      onclick: () => toggleUpvote(q.id) },
          h("span", { class: "upvote-label" }, _("Upvote")),
          h("span", { class: "count" }),
          h("span", { class: "visually-hidden count-unit" }))));
    updateQuestion(el, q);
    return el;
  }

  function updateQuestion(el, q) {
    const onAir = q.id === state.onAir;
    el.classList.toggle("on-air", onAir);
    el.querySelector(".on-air-badge").hidden = !onAir;
    el.querySelector(".question-text").textContent = q.text;
    el.querySelector(".topic-tag").hidden = !q.topic;
    el.querySelector(".topic-tag").textContent = q.topic ? _("Topic: %(topic)s", { topic: Live.topicName(state.webinar, q.topic) }) : "";
    el.querySelector(".reply").hidden = !q.reply;
    el.querySelector(".reply-text").textContent = q.reply || "";
    el.querySelector(".meta").textContent = [q.name || _("Anonymous"),
      q.asked_by > 1 ? ngettext("asked by %(num)d person", "asked by %(num)d people", q.asked_by) : "",
      q.status === "answered" ? Live.STATUS_LABELS.answered : ""].filter(Boolean).join(" · ");
    const button = el.querySelector("button.upvote");
    button.setAttribute("aria-pressed", String(Boolean(state.me && state.me.upvoted.has(q.id))));
    button.disabled = q.status !== "live";
    // the count is part of the button's name: "Upvote 3 upvotes"
    el.querySelector(".count").textContent = `${q.upvotes}`;
    el.querySelector(".count-unit").textContent = q.upvotes === 1 ? " upvote" : " upvotes";
  }

  async function toggleUpvote(id) {
    if (!state.me) return;
    const up = !state.me.upvoted.has(id);
    const ack = await send(socket, "upvote", { question: id, up });
    notice(ack);
    if (!ack.ok) return;
    if (ack.up) state.me.upvoted.add(id); else state.me.upvoted.delete(id);
    const q = state.questions.get(id);
    if (q) q.upvotes = ack.question.upvotes;
    render(null);
  }

  function listOutOfSight() {
    // the reader has scrolled into the list: reordering now would move it under their thumb
    return $("questions").getBoundingClientRect().top < 0;
  }

  function renderQuestions(update) {
    const sorted = [...state.questions.values()]
      .filter((q) => q.status === "live" || q.status === "answered")
      .filter((q) => !topicShown || q.topic === topicShown)
      .sort(order === "popular" ? Live.byPopularity : Live.byRecency)
      .map((q) => q.id);
    let ids = sorted;
    const button = $("show-new");
    if (reorder || !shownOrder.length || !listOutOfSight()) {
      reorder = false;
      button.hidden = true;
    } else {
      const present = new Set(sorted);
      ids = shownOrder.filter((id) => present.has(id));
      const shown = new Set(ids);
      const fresh = sorted.filter((id) => !shown.has(id)).length;
      const moved = ids.some((id, i) => id !== sorted.filter((s) => shown.has(s))[i]);
      button.hidden = !fresh && !moved;
      button.textContent = fresh ? ngettext("Show %(num)d new question", "Show %(num)d new questions", fresh)
        : _("Update the order");
    }
    shownOrder = ids;
    Live.syncList($("questions"), ids.map((id) => state.questions.get(id)), (q) => q.id,
                  createQuestion, updateQuestion);
    $("questions-empty").hidden = sorted.length > 0;
    $("questions-empty").textContent = topicShown
      ? _("No questions on %(topic)s yet.", { topic: Live.topicName(state.webinar, topicShown) }) : _("No questions yet. Be the first to ask.");
    $("dismissed-summary").textContent = Live.dismissedSummary(state.dismissed);
    $("questions-more").hidden = !state.moreQuestions;
    $("questions-more-text").textContent = state.moreQuestions
      ? ngettext("The most upvoted and the newest questions are shown; %(num)d other is not loaded yet.",
                 "The most upvoted and the newest questions are shown; %(num)d others are not loaded yet.",
                 state.moreQuestions)
      : "";

    const fresh = (update ? update.questions || [] : [])
      .filter((q) => q.status === "live" && !known.has(q.id));
    for (const q of state.questions.values()) known.add(q.id);
    if (update && fresh.length) Live.announce(ngettext("%(num)d new question", "%(num)d new questions", fresh.length));
  }

  function renderMine() {
    const mine = state.me ? [...state.me.questions].map((id) => state.questions.get(id)).filter(Boolean) : [];
    $("mine-section").hidden = mine.length === 0;
    Live.syncList($("mine"), mine.sort(Live.byRecency), (q) => q.id,
      (q) => {
        const el = h("li", { class: "question mine" }, h("p", { class: "question-text" }),
          h("div", { class: "reply" }, h("p", { class: "reply-label" }, _("Answer from the moderators")),
            h("p", { class: "reply-text" })),
          h("p", { class: "meta status" }));
        updateMine(el, q);
        return el;
      }, updateMine);
  }

  function updateMine(el, q) {
    el.querySelector(".question-text").textContent = q.text;
    el.querySelector(".reply").hidden = !q.reply;
    el.querySelector(".reply-text").textContent = q.reply || "";
    const into = q.status === "merged" && state.questions.get(q.merged_into);
    const status = Live.STATUS_LABELS[q.status] || q.status;
    const said = q.status === "dismissed" && q.reason
      ? _("Status: %(status)s (%(reason)s)", { status, reason: Live.REASON_LABELS[q.reason] })
      : into ? _("Status: merged into “%(question)s”, which you can upvote", { question: into.text })
        : _("Status: %(status)s", { status });
    el.querySelector(".status").textContent = said + (q.status === "live" || q.status === "answered"
      ? ` · ${ngettext("%(num)d upvote", "%(num)d upvotes", q.upvotes)}` : "");
    el.dataset.status = q.status;
  }

  /* -- polls: each card from static/polls.js ------------------------------------------------ */
  const pollCard = (poll) => LivePolls.card(socket, state, Live.inLanguage(poll));

  function renderPolls(update) {
    const polls = [...state.polls.values()].filter((p) => p.state === "open" || Live.hasResults(p))
      .sort((a, b) => b.id - a.id);
    $("polls-empty").hidden = polls.length > 0;
    // the Polls tab says how many polls are open: the running poll is one tap away
    const open = polls.filter((p) => p.state === "open").length;
    $("polls-badge").hidden = open === 0;
    $("polls-badge").textContent = open ? ngettext("%(num)d open", "%(num)d open", open) : "";
    // a card is redrawn only when its poll changed (its wording too: the organiser may edit its
    // translation), so that a half-filled ballot is not wiped out
    const wording = (p) => { const shown = Live.inLanguage(p); return [shown.prompt, ...shown.options].join("\u0000"); };
    Live.syncList($("polls"), polls, (p) => `${p.id}:${p.state}:${p.results_visible}:${Live.hasResults(p)}:${wording(p)}`,
      pollCard, (el, poll) => {
        const results = el.querySelector(".results");
        if (poll.results && results) Live.results(Live.inLanguage(poll), results);
      });
    for (const poll of polls) {
      const key = `${poll.state}:${Boolean(poll.results)}`;
      if (update && pollsAnnounced.get(poll.id) !== key) {
        const prompt = Live.inLanguage(poll).prompt;
        Live.announce(poll.results ? _("Results of the poll: %(prompt)s", { prompt })
          : _("Poll open: %(prompt)s", { prompt }));
      }
      pollsAnnounced.set(poll.id, key);
    }
  }

  function render(update) {
    // after a reconnect, a reader who had every question gets every question again
    if (update === null && wantAll && state.moreQuestions && !loading) loadAll(false);
    if (state.webinar) {
      const settings = state.webinar.settings;
      $("name-field").hidden = !settings.ask_names;
      $("premoderation-hint").hidden = !settings.premoderation;
      text.maxLength = settings.max_question_length;
      updateCounter();
    }
    renderPolls(update);
    renderMine();
    renderAskMessage();
    renderQuestions(update);
    renderSimilar();
  }
})();
