/* The attendee page: ask, upvote, answer polls. Mobile first; the list never jumps under a thumb. */
"use strict";

(() => {
  const { h, send, plural } = Live;
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
    { webinar: body.dataset.webinar, participant: body.dataset.participant }, state, render);

  function notice(text, isError = true) {
    const el = $("notice");
    el.textContent = text;
    el.classList.toggle("error", isError && Boolean(text));
  }

  /* -- asking ------------------------------------------------------------------------------ */
  const text = $("question-text");
  function limit() { return state.webinar ? state.webinar.settings.max_question_length : text.maxLength; }
  function updateCounter() {
    const left = limit() - text.value.length;
    $("question-counter").textContent = `${text.value.length} of ${limit()} characters`;
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
      $("similar-announcer").textContent =
        `${plural(suggested.length, "similar question", "similar questions")} already asked, below the question field.`;
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
        h("span", { class: "upvote-label" }, "Upvote"),
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
    el.querySelector(".count-unit").textContent = q.upvotes === 1 ? " upvote" : " upvotes";
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
    if (!ack.ok) {
      message.textContent = ack.message;
      message.className = "message error";
      text.focus();
      return;
    }
    draftKey = null;
    state.questions.set(ack.question.id, ack.question);
    known.add(ack.question.id);
    if (state.me) state.me.questions.add(ack.question.id);
    text.value = "";
    updateCounter();
    suggested = [];
    renderSimilar();
    message.className = "message ok";
    message.textContent = ack.question.status === "pending"
      ? "Sent. Your question is waiting for review by the moderators."
      : "Sent. Your question is in the list.";
    reorder = true;
    render(null);
  });

  /* -- ordering ---------------------------------------------------------------------------- */
  for (const button of document.querySelectorAll("button.order")) {
    button.addEventListener("click", () => {
      order = button.dataset.order;
      for (const other of document.querySelectorAll("button.order")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      reorder = true;
      render(null);
    });
  }
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
      if (!done) { notice("The other questions could not be loaded. Try again in a moment."); return; }
      reorder = true;
      render(null);
      Live.announce("Every question is shown now.");
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
  function createQuestion(q) {
    const el = h("li", { class: "question" },
      h("p", { class: "badge on-air-badge" }, "On screen now"),
      h("p", { class: "topic-tag" }),
      h("p", { class: "question-text" }),
      h("div", { class: "reply" }, h("p", { class: "reply-label" }, "Answer from the moderators"),
        h("p", { class: "reply-text" })),
      h("p", { class: "meta" }),
      h("button", { type: "button", class: "upvote", "aria-pressed": "false",
                    onclick: () => toggleUpvote(q.id) },
        h("span", { class: "upvote-label" }, "Upvote"),
        h("span", { class: "count" }),
        h("span", { class: "visually-hidden count-unit" })));
    updateQuestion(el, q);
    return el;
  }

  function updateQuestion(el, q) {
    const onAir = q.id === state.onAir;
    el.classList.toggle("on-air", onAir);
    el.querySelector(".on-air-badge").hidden = !onAir;
    el.querySelector(".question-text").textContent = q.text;
    el.querySelector(".topic-tag").hidden = !q.topic;
    el.querySelector(".topic-tag").textContent = q.topic ? `Topic: ${q.topic}` : "";
    el.querySelector(".reply").hidden = !q.reply;
    el.querySelector(".reply-text").textContent = q.reply || "";
    el.querySelector(".meta").textContent = `${q.name || "Anonymous"}`
      + `${q.asked_by > 1 ? ` · asked by ${q.asked_by} people` : ""}`
      + `${q.status === "answered" ? " · Answered" : ""}`;
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
    if (!ack.ok) { notice(ack.message); return; }
    notice("");
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
      button.textContent = fresh ? `Show ${plural(fresh, "new question", "new questions")}` : "Update the order";
    }
    shownOrder = ids;
    Live.syncList($("questions"), ids.map((id) => state.questions.get(id)), (q) => q.id,
                  createQuestion, updateQuestion);
    $("questions-empty").hidden = sorted.length > 0;
    $("questions-empty").textContent = topicShown
      ? `No questions on ${topicShown} yet.` : "No questions yet. Be the first to ask.";
    $("dismissed-summary").textContent = Live.dismissedSummary(state.dismissed);
    $("questions-more").hidden = !state.moreQuestions;
    $("questions-more-text").textContent = state.moreQuestions
      ? `The most upvoted and the newest questions are shown; ${plural(state.moreQuestions, "other is", "others are")} not loaded yet.`
      : "";

    const fresh = (update ? update.questions || [] : [])
      .filter((q) => q.status === "live" && !known.has(q.id));
    for (const q of state.questions.values()) known.add(q.id);
    if (update && fresh.length) Live.announce(plural(fresh.length, "new question", "new questions"));
  }

  function renderMine() {
    const mine = state.me ? [...state.me.questions].map((id) => state.questions.get(id)).filter(Boolean) : [];
    $("mine-section").hidden = mine.length === 0;
    Live.syncList($("mine"), mine.sort(Live.byRecency), (q) => q.id,
      (q) => {
        const el = h("li", { class: "question mine" }, h("p", { class: "question-text" }),
          h("div", { class: "reply" }, h("p", { class: "reply-label" }, "Answer from the moderators"),
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
    const why = q.status === "dismissed" && q.reason ? ` (${Live.REASON_LABELS[q.reason]})`
      : into ? ` into “${into.text}”, which you can upvote` : "";
    el.querySelector(".status").textContent = `Status: ${Live.STATUS_LABELS[q.status] || q.status}${why}`
      + (q.status === "live" || q.status === "answered" ? ` · ${plural(q.upvotes, "upvote", "upvotes")}` : "");
    el.dataset.status = q.status;
  }

  /* -- polls ------------------------------------------------------------------------------- */
  /* A word cloud's card: up to three words or short phrases. */
  function wordsCard(poll) {
    const open = poll.state === "open";
    const inputs = [1, 2, 3].map((n) => h("input", { id: `poll-${poll.id}-word-${n}`, maxlength: "40",
      autocomplete: "off" }));
    const form = h("form", { class: "poll card", "aria-labelledby": `poll-${poll.id}-legend` },
      h("fieldset", { disabled: !open },
        h("legend", { id: `poll-${poll.id}-legend` }, poll.prompt),
        Live.countdown(poll),
        h("p", { class: "hint" }, open ? "Up to three words or short phrases." : "This poll is closed."),
        inputs.map((input, i) => h("div", { class: "stack" },
          h("label", { for: input.id }, i ? `Word ${i + 1} (optional)` : "Word 1"), input)),
        open ? h("button", { type: "submit" }, "Send my words") : null),
      h("p", { class: "message", role: "status" }),
      poll.results ? Live.results(poll) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const words = inputs.map((i) => i.value.trim()).filter(Boolean);
      const status = form.querySelector(".message");
      const ack = words.length ? await send(socket, "vote", { poll: poll.id, words })
        : { ok: false, message: "Type at least one word first." };
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok
        ? `Your words are counted: ${ack.words.join(", ")}. You can change them while the poll is open.`
        : ack.message;
    });
    return h("div", { class: "poll-wrap" }, form);
  }

  /* An open text poll's card: one answer, which the moderators may choose to show to all. */
  function textCard(poll) {
    const open = poll.state === "open";
    const box = h("textarea", { id: `poll-${poll.id}-text`, rows: "3", maxlength: "300" });
    const form = h("form", { class: "poll card", "aria-labelledby": `poll-${poll.id}-legend` },
      h("fieldset", { disabled: !open },
        h("legend", { id: `poll-${poll.id}-legend` }, poll.prompt),
        Live.countdown(poll),
        h("p", { class: "hint" }, open ? "The moderators read every answer and may show some on screen."
          : "This poll is closed."),
        h("div", { class: "stack" }, h("label", { for: box.id }, "Your answer"), box),
        open ? h("button", { type: "submit" }, "Send my answer") : null),
      h("p", { class: "message", role: "status" }),
      Live.hasResults(poll) ? Live.results(poll) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = form.querySelector(".message");
      const ack = await send(socket, "vote", { poll: poll.id, text: box.value });
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok ? "Your answer is sent. You can change it while the poll is open." : ack.message;
    });
    return h("div", { class: "poll-wrap" }, form);
  }

  /* A ranking's card: the options in the voter's order, moved with buttons (keyboard friendly). */
  function rankingCard(poll) {
    const open = poll.state === "open";
    let order = poll.options.map((_, i) => i);
    const list = h("ol", { class: "rank-list" });
    const said = h("p", { class: "visually-hidden", "aria-live": "polite" });
    const draw = (focus) => {
      list.replaceChildren(...order.map((option, at) => h("li", {},
        h("span", {}, poll.options[option]),
        h("button", { type: "button", disabled: !open || at === 0, dataset: { move: `${option}:up` },
          "aria-label": `Move ${poll.options[option]} up`, onclick: () => move(at, -1) }, "↑"),
        h("button", { type: "button", disabled: !open || at === order.length - 1,
          dataset: { move: `${option}:down` }, "aria-label": `Move ${poll.options[option]} down`,
          onclick: () => move(at, 1) }, "↓"))));
      if (focus) {
        const button = list.querySelector(`[data-move="${focus}"]`);
        (button && !button.disabled ? button : list.querySelector("button:not([disabled])"))?.focus();
      }
    };
    const move = (at, step) => {
      const option = order[at];
      order.splice(at, 1);
      order.splice(at + step, 0, option);
      draw(`${option}:${step < 0 ? "up" : "down"}`);
      said.textContent = `${poll.options[option]} is now number ${at + step + 1}.`;
    };
    const form = h("form", { class: "poll card", "aria-labelledby": `poll-${poll.id}-legend` },
      h("fieldset", { disabled: !open },
        h("legend", { id: `poll-${poll.id}-legend` }, poll.prompt),
        Live.countdown(poll),
        h("p", { class: "hint" }, open ? "Put them in your order, your first choice first." : "This poll is closed."),
        list, said,
        open ? h("button", { type: "submit" }, "Send my ranking") : null),
      h("p", { class: "message", role: "status" }),
      poll.results ? Live.results(poll) : null);
    draw(null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = form.querySelector(".message");
      const ack = await send(socket, "vote", { poll: poll.id, options: order });
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok ? "Your ranking is counted. You can change it while the poll is open." : ack.message;
    });
    return h("div", { class: "poll-wrap" }, form);
  }

  function pollCard(poll) {
    if (poll.kind === "ranking") return rankingCard(poll);
    if (poll.kind === "words") return wordsCard(poll);
    if (poll.kind === "text") return textCard(poll);
    const ballot = (state.me && state.me.ballots.get(poll.id)) || [];
    const type = poll.kind === "multiple" ? "checkbox" : "radio";
    const open = poll.state === "open";
    const form = h("form", { class: "poll card", "aria-labelledby": `poll-${poll.id}-legend` },
      h("fieldset", { disabled: !open },
        h("legend", { id: `poll-${poll.id}-legend` }, poll.prompt),
        Live.countdown(poll),
        h("p", { class: "hint" }, open
          ? ({ multiple: "Choose all that apply.", rating: "Choose a rating from 1 to 5 stars." }[poll.kind] || "Choose one.")
          : "This poll is closed."),
        poll.options.map((label, i) => h("div", { class: "choice" },
          h("input", { type, id: `poll-${poll.id}-${i}`, name: `poll-${poll.id}`, value: i,
                       checked: ballot.includes(i) }),
          h("label", { for: `poll-${poll.id}-${i}` }, Live.optionLabel(poll, label)))),
        open ? h("button", { type: "submit" }, "Submit vote") : null),
      h("p", { class: "message", role: "status" },
        ballot.length ? (open ? "Your vote is counted. You can change it while the poll is open."
                              : "Your vote was counted.") : ""),
      poll.results ? Live.results(poll) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const options = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      const status = form.querySelector(".message");
      if (!options.length) {
        status.textContent = "Choose an option first.";
        status.className = "message error";
        return;
      }
      const ack = await send(socket, "vote", { poll: poll.id, options });
      if (!ack.ok) { status.textContent = ack.message; status.className = "message error"; return; }
      state.me.ballots.set(poll.id, ack.options);
      status.className = "message ok";
      status.textContent = "Your vote is counted. You can change it while the poll is open.";
      if (interest) interest.hidden = false;
    });
    const interest = poll.collects_emails ? interestForm(poll) : null;
    if (interest) interest.hidden = !ballot.length && !kept(poll);
    return h("div", { class: "poll-wrap" }, form, interest);
  }

  /* -- application information by email (the programme poll) -------------------------------- */
  const kept = (poll) => state.me && state.me.interests && state.me.interests[String(poll.id)];

  function interestForm(poll) {
    const id = `interest-${poll.id}`;
    const organiser = (state.webinar && state.webinar.organiser) || "The organisers";
    const email = h("input", { type: "email", id: `${id}-email`, autocomplete: "email", required: true });
    const consent = h("input", { type: "checkbox", id: `${id}-consent` });
    const status = h("p", { class: "message", role: "status" });
    const asking = h("div", { class: "stack" },
      h("label", { for: `${id}-email` }, "Your email address"), email,
      h("div", { class: "choice" }, consent, h("label", { for: `${id}-consent` },
        `I agree that ${organiser} uses this address only to send me application information `
        + "about the programmes I choose in this poll. It is deleted with this webinar's data, "
        + "and I can withdraw it here at any time.")),
      h("p", { class: "hint" }, h("a", { href: `/e/${document.body.dataset.webinar}/privacy` },
        "Privacy notice: how your data is used and for how long")),
      h("div", {}, h("button", { type: "submit" }, "Send my address")));
    const keptText = h("p", {});
    const keeping = h("div", { class: "stack" }, keptText,
      h("div", {}, h("button", { type: "button", onclick: () => withdraw() }, "Withdraw my address")));
    const show = () => {
      const address = kept(poll);
      asking.hidden = Boolean(address);
      keeping.hidden = !address;
      keptText.textContent = address
        ? `We will send application information about the programmes you chose to ${address}.` : "";
    };
    const form = h("form", { class: "interest card", "aria-labelledby": `${id}-heading` },
      h("h3", { id: `${id}-heading` }, "Application information by email"),
      h("p", {}, "Would you like to receive how to apply for the programmes you chose? No other personal data is asked."),
      asking, keeping, status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ack = await send(socket, "interest", { poll: poll.id, email: email.value, consent: consent.checked });
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok ? "Thank you: your address is kept for this purpose only." : ack.message;
      if (!ack.ok) return;
      state.me.interests[String(poll.id)] = ack.email;
      show();
    });
    async function withdraw() {
      const ack = await send(socket, "interest", { poll: poll.id, email: null });
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok ? "Your address is deleted." : ack.message;
      if (!ack.ok) return;
      delete state.me.interests[String(poll.id)];
      show();
      email.focus();
    }
    show();
    return form;
  }

  function renderPolls(update) {
    const polls = [...state.polls.values()].filter((p) => p.state === "open" || Live.hasResults(p))
      .sort((a, b) => b.id - a.id);
    $("polls-section").hidden = polls.length === 0;
    // a card is redrawn only when its poll changed, so that a half-filled ballot is not wiped out
    Live.syncList($("polls"), polls, (p) => `${p.id}:${p.state}:${p.results_visible}:${Live.hasResults(p)}`,
      pollCard, (el, poll) => {
        const results = el.querySelector(".results");
        if (poll.results && results) Live.results(poll, results);
      });
    for (const poll of polls) {
      const key = `${poll.state}:${Boolean(poll.results)}`;
      if (update && pollsAnnounced.get(poll.id) !== key) {
        Live.announce(poll.results ? `Results of the poll: ${poll.prompt}` : `Poll open: ${poll.prompt}`);
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
    renderQuestions(update);
    renderSimilar();
  }
})();
