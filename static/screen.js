/* The screen: renders exactly what the webinar's screen state says (welcome, a question, a poll,
   its results, the top questions or blank). Used by the projector page and, scaled down, by the
   moderators' console as its preview: one rendering, never two. */
"use strict";

const LiveScreen = (() => {
  const { h } = Live;
  // the page's language (the webinar's by default; ?lang=xx on the projector and the overlay)
  const language = LiveI18n.language;

  /* A poll as this page's language reads it: its translated prompt and options where the
     webinar file gives them (same options, same order: the results are the same ballots). */
  function inLanguage(poll, root) {
    // the console's preview mirrors the room's screen, whose default is the webinar's own
    // content (the moderator's page may be in another language)
    if (root && root.classList.contains("screen-preview")) return poll;
    const given = poll && poll.translations && poll.translations[language];
    return given ? Object.assign({}, poll, given) : poll;
  }

  /* A question's topic as the screen's language reads it (the preview: the room's default,
     the webinar's own name). */
  function topicIn(state, topic, root) {
    if (!topic || (root && root.classList.contains("screen-preview"))) return topic;
    return Live.topicName(state.webinar, topic, language);
  }

  /* Keep the screen state a snapshot or update carries (common.js keeps the rest): call on the
     socket Live.connect returns; any-listeners run before the snapshot and update handlers. */
  function follow(socket, state) {
    state.screen = { kind: "welcome", id: null };
    socket.onAny((name, payload) => {
      if ((name === "snapshot" || name === "update") && payload && payload.screen) state.screen = payload.screen;
    });
  }

  /* Say in words what a screen state shows (the console's status and its announcements). */
  function describe(state) {
    const screen = state.screen || { kind: "welcome" };
    const poll = state.polls.get(screen.id);
    const question = state.questions.get(screen.id);
    return {
      welcome: () => LiveI18n.gettext("the welcome screen (title, QR code and how to join)"),
      top: () => LiveI18n.gettext("the top questions"),
      blank: () => LiveI18n.gettext("nothing (blank)"),
      question: () => (question
        ? LiveI18n.gettext("question #%(id)s: %(text)s", { id: screen.id, text: question.text })
        : LiveI18n.gettext("question #%(id)s", { id: screen.id })),
      poll: () => (poll
        ? LiveI18n.gettext("poll #%(id)s: %(prompt)s, for voting", { id: screen.id, prompt: poll.prompt })
        : LiveI18n.gettext("poll #%(id)s, for voting", { id: screen.id })),
      results: () => (poll
        ? LiveI18n.gettext("the results of poll #%(id)s: %(prompt)s", { id: screen.id, prompt: poll.prompt })
        : LiveI18n.gettext("the results of poll #%(id)s", { id: screen.id })),
    }[screen.kind]?.() || screen.kind;
  }

  function welcomeView(root) {
    const { joinUrl, qr, code, passcode } = root.dataset;
    const [base, path] = joinUrl.split("/e/");
    return h("section", { class: "screen-welcome" },
      h("img", { src: qr, alt: LiveI18n.gettext("QR code: scan it to join the webinar at %(url)s", { url: joinUrl }),
        width: 480, height: 480 }),
      h("div", {},
        h("p", { class: "welcome-lead" }, LiveI18n.gettext("Ask your questions and vote from your phone")),
        h("p", { class: "join-url" }, base.split("://").pop(), h("wbr"), `/e/${path}`),
        // the label is a whole phrase ("Code:"), the value in bold after it
        h("p", { class: "join-code" }, LiveI18n.gettext("Code:"), " ", h("strong", {}, code)),
        // a private webinar whose organiser chose to show its passcode on the screen
        passcode ? h("p", { class: "join-code" }, LiveI18n.gettext("Passcode:"), " ", h("strong", {}, passcode)) : null));
  }

  /* A question on screen; compact (the overlay's lower third): its text, name and topic only. */
  function questionView(q, compact, topic) {
    const facts = [q.name || LiveI18n.gettext("Anonymous")];
    if (!compact) facts.push(LiveI18n.ngettext("%(num)d upvote", "%(num)d upvotes", q.upvotes));
    if (!compact && q.asked_by > 1) {
      facts.push(LiveI18n.ngettext("asked by %(num)d person", "asked by %(num)d people", q.asked_by));
    }
    if (topic) facts.push(topic);
    return h("section", { class: "screen-question" },
      compact ? null : h("p", { class: "badge" }, LiveI18n.gettext("Question on screen")),
      h("blockquote", {}, q.text),
      h("p", { class: "meta" }, facts.join(" · ")),
      q.reply && !compact ? h("div", { class: "reply" }, h("p", { class: "reply-label" }, LiveI18n.gettext("Written answer")),
        h("p", { class: "reply-text" }, q.reply)) : null);
  }

  function pollView(poll) {
    return h("section", { class: "screen-poll" },
      h("h2", {}, poll.prompt),
      poll.options.length
        ? h("ul", { class: "screen-options" }, poll.options.map((label) => h("li", {}, Live.optionLabel(poll, label))))
        : null,
      h("p", { class: "screen-hint" }, poll.state !== "open" ? LiveI18n.gettext("The poll is closed")
        : { words: LiveI18n.gettext("Send your words from your phone now"),
            text: LiveI18n.gettext("Send your answer from your phone now"),
            ranking: LiveI18n.gettext("Rank them on your phone now") }[poll.kind]
          || LiveI18n.gettext("Vote on your phone now")),
      Live.countdown(poll),
      // an open text poll's answers that a moderator chose are shown while it runs
      poll.kind === "text" && poll.results ? Live.results(poll) : null);
  }

  function resultsView(poll) {
    return h("section", { class: "screen-poll" }, h("h2", {}, poll.prompt),
      poll.results ? Live.results(poll) : h("p", { class: "screen-hint" }, LiveI18n.gettext("The results appear here")));
  }

  function topView(state) {
    const top = [...state.questions.values()].filter((q) => q.status === "live")
      .sort(Live.byPopularity).slice(0, 5);
    return h("section", { class: "screen-top" },
      h("h2", {}, top.length ? LiveI18n.gettext("Top questions") : LiveI18n.gettext("Scan the code and ask your question")),
      h("ol", {}, top.map((q) => h("li", {},
        h("span", { class: "votes" }, `${q.upvotes}`, h("span", { class: "visually-hidden" }, " " + LiveI18n.gettext("upvotes"))),
        h("span", {}, q.text)))));
  }

  /* Make the stage's content fit the screen, measured in the browser: lower --fit (the text's
     size between its full size and its floor) until nothing overflows; at the floor the QR code
     makes way for the content (the join address and code stay, in one line below), and
     then a long list
     shows its first items and "and N more", and a long written answer shows what fits, then "…"
     and a note that the rest is on the attendees' page (shrinking further would make it
     unreadable from the back of the room). Run on each render and on resize. */
  function fit(root) {
    const stage = root.querySelector(".stage");
    const content = root.querySelector(".screen-stage");
    // scrollHeight is rounded: the content's box says whether a fraction of a pixel is cut
    const overflows = () => stage.scrollHeight > stage.clientHeight || stage.scrollWidth > stage.clientWidth
      || content.getBoundingClientRect().bottom > stage.getBoundingClientRect().bottom;
    root.querySelectorAll(".more").forEach((el) => el.remove());
    root.querySelectorAll(".screen-stage [data-cut]").forEach((el) => { el.hidden = false; delete el.dataset.cut; });
    const reply = root.querySelector(".screen-stage .reply-text");
    // the overlay's question, as a last resort in a small source at a large scale
    const question = root.classList.contains("overlay") ? root.querySelector(".screen-stage blockquote") : null;
    for (const el of [reply, question]) if (el && el.dataset.full) el.textContent = el.dataset.full;
    let low = 0;
    let high = 1;
    root.classList.remove("crowded");
    root.style.setProperty("--fit", "1");
    if (!overflows()) return;
    root.style.setProperty("--fit", "0");
    // at the floor, the QR code beside the content gives its room (the code stays, in words)
    root.classList.toggle("crowded", overflows());
    if (overflows()) {
      if (reply) cutText(reply, overflows, " " + LiveI18n.gettext("(the full answer is on the attendees' page)"));
      const lists = [...root.querySelectorAll(".screen-stage ul, .screen-stage ol")]
        .sort((a, b) => b.children.length - a.children.length);
      if (lists.length && overflows()) cutList(lists[0], overflows);
      if (question && overflows()) cutText(question, overflows);
      return;
    }
    for (let step = 0; step < 7; step += 1) {
      const mid = (low + high) / 2;
      root.style.setProperty("--fit", String(mid));
      if (overflows()) high = mid; else low = mid;
    }
    root.style.setProperty("--fit", String(low));
  }

  /* Hide a list's last items until the stage fits, and say how many are hidden. */
  function cutList(list, overflows) {
    const items = [...list.children];
    const more = h("li", { class: "more" }, "");
    list.append(more);
    let shown = items.length;
    while (shown > 1 && overflows()) {
      shown -= 1;
      items[shown].hidden = true;
      items[shown].dataset.cut = "";
      more.textContent = LiveI18n.ngettext("and %(num)d more", "and %(num)d more", items.length - shown);
    }
    if (shown === items.length) more.remove();
  }

  /* Shorten a text to what fits (whole words), then "…" and the note, if any. */
  function cutText(el, overflows, note = "") {
    const full = el.textContent;
    el.dataset.full = full;
    let low = 0;
    let high = full.length;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      el.textContent = `${full.slice(0, mid).trimEnd()}…${note}`;
      if (overflows()) high = mid; else low = mid;
    }
    el.textContent = `${full.slice(0, low).trimEnd()}…${note}`;
  }

  /* Say what a state's screen shows: its kind, a key that changes whenever what is drawn
     changes, and the view that draws it. The overlay (compact) shows a question, a poll or its
     results only: for the other kinds, and for what is gone, the kind is "none". */
  function pick(state, root, compact) {
    const screen = state.screen || { kind: "welcome", id: null };
    const poll = inLanguage(state.polls.get(screen.id), root);
    const question = state.questions.get(screen.id);
    if (screen.kind === "question" && question) {
      return { kind: "question",
        key: `question:${question.id}:${question.upvotes}:${question.text}:${question.reply}:${question.topic}:${question.name}`,
        view: () => questionView(question, compact, topicIn(state, question.topic, root)) };
    }
    if (screen.kind === "poll" && poll) {
      const chosen = poll.kind === "text" && poll.results ? JSON.stringify(poll.results.answers) : "";
      const wording = [poll.prompt, ...poll.options].join("\u0000");
      return { kind: "poll", key: `poll:${poll.id}:${poll.state}:${poll.closes_at}:${chosen}:${wording}`,
        view: () => pollView(poll) };
    }
    if (screen.kind === "results" && poll) {
      return { kind: "results", key: `results:${poll.id}:${Boolean(poll.results)}:${[poll.prompt, ...poll.options].join("\u0000")}`, poll,
        view: () => resultsView(poll) };
    }
    if (compact) return { kind: "none", key: "none", view: () => [] };
    if (screen.kind === "top") {
      const top = [...state.questions.values()].filter((q) => q.status === "live");
      return { kind: "top", key: `top:${top.map((q) => `${q.id}/${q.upvotes}/${q.text}`).join()}`,
        view: () => topView(state) };
    }
    if (screen.kind === "welcome") return { kind: "welcome", key: "welcome", view: () => welcomeView(root) };
    // blank, or a question or poll that is gone: nothing (the page says which kind it was told)
    return { kind: screen.kind, key: "blank", view: () => [] };
  }

  /* Return render(state) for a screen element (templates/_screen.html, or the overlay's with
     compact): it shows the state's screen, redrawing only what changed (so that a change of
     counts animates). */
  function mount(root, compact = false) {
    const stage = root.querySelector(".screen-stage");
    let shown = "";
    let last = null;
    window.addEventListener("resize", () => fit(root));
    // the catalogue comes after the first rendering: draw again in its words, and measure again
    // (a German label is longer than the English one it replaces)
    LiveI18n.ready.then(() => {
      shown = "";
      if (last) render(last);
    });
    function render(state) {
      last = state;
      const picked = pick(state, root, compact);
      root.dataset.screen = picked.kind;
      if (picked.kind === "results" && picked.key === shown && picked.poll.results) {
        // new counts: the bars move rather than being drawn again
        root.querySelectorAll(".more").forEach((el) => el.remove());
        Live.results(picked.poll, stage.querySelector(".results"));
      } else if (picked.key !== shown) {
        stage.replaceChildren(...[picked.view()].flat());
      }
      shown = picked.key;
      fit(root);
      return picked;
    }
    return render;
  }

  return { follow, mount, pick, describe };
})();
