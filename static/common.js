/* Shared by the three views: the connection, the room state kept from snapshot + update, and DOM
   helpers. User text only ever reaches the page through textContent, never as HTML. */
"use strict";

const Live = (() => {
  // the catalogue's messages (static/i18n.js, loaded first); pages render once LiveI18n.ready
  const _ = LiveI18n.gettext;
  const ngettext = LiveI18n.ngettext;
  /* Build an element: h("li", {class: "q", dataset: {id: 1}, onclick: fn}, "text", child). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /* Make a list show `items` in order, reusing each item's element (found by key) so that focus,
     half-typed input and CSS transitions survive; create() builds a new one, update() refreshes. */
  function syncList(list, items, key, create, update) {
    const existing = new Map();
    for (const el of list.children) if (el.dataset.key) existing.set(el.dataset.key, el);
    const focused = document.activeElement;
    const wanted = items.map((item) => {
      const k = String(key(item));
      let el = existing.get(k);
      if (el) { existing.delete(k); update(el, item); } else { el = create(item); el.dataset.key = k; }
      return el;
    });
    for (const el of existing.values()) el.remove();
    for (const el of list.querySelectorAll(":scope > :not([data-key])")) el.remove();
    wanted.forEach((el, i) => { if (list.children[i] !== el) list.insertBefore(el, list.children[i] || null); });
    // moving an element blurs what is inside it: give the focus back
    if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus();
  }

  /* Say something to screen-reader users (a polite live region; the newest message wins). */
  function announce(text) {
    const region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    // a fresh text node after a tick makes screen readers read a repeated message too
    setTimeout(() => { region.textContent = text; }, 50);
  }

  function createState() {
    return { role: null, webinar: null, questions: new Map(), polls: new Map(),
             onAir: null, online: 0, dismissed: {}, log: new Map(), me: null, moreQuestions: 0 };
  }

  function applySnapshot(state, snap) {
    state.role = snap.role;
    state.webinar = snap.webinar;
    state.questions = new Map(snap.questions.map((q) => [q.id, q]));
    // the questions a phone shows first came; this many others are fetched on demand
    state.moreQuestions = snap.more_questions || 0;
    state.polls = new Map(snap.polls.map((p) => [p.id, p]));
    state.onAir = snap.on_air;
    state.online = snap.online;
    state.dismissed = snap.dismissed || {};
    if (snap.now) clockOffset = Date.parse(snap.now) - Date.now();
    state.log = new Map((snap.log || []).map((e) => [e.id, e]));
    // what moderators may do to a question in each status: the server's rules, not a copy
    state.allowed = snap.allowed || {};
    state.me = snap.me && {
      questions: new Set(snap.me.questions),
      upvoted: new Set(snap.me.upvoted),
      ballots: new Map(Object.entries(snap.me.ballots).map(([k, v]) => [Number(k), v])),
      interests: { ...(snap.me.interests || {}) },
    };
  }

  function applyUpdate(state, update) {
    if ("on_air" in update) state.onAir = update.on_air;
    if ("online" in update) state.online = update.online;
    if ("dismissed" in update) state.dismissed = update.dismissed;
    // the latest log entries: merged by id, so a repeated or lost update does no harm
    for (const entry of update.log || []) state.log.set(entry.id, entry);
    if (update.settings && state.webinar) state.webinar.settings = update.settings;
    for (const q of update.questions || []) state.questions.set(q.id, q);
    for (const id of update.removed || []) {
      // the author keeps following their own question (its new status comes to them alone)
      if (!(state.me && state.me.questions.has(id))) state.questions.delete(id);
    }
    for (const p of update.polls || []) state.polls.set(p.id, p);
  }

  /* A poll as the page's language reads it: its translated prompt and options where the webinar
     file gives them, else its own (same options, same order: the results are the same ballots). */
  function inLanguage(poll) {
    const given = poll && poll.translations && poll.translations[document.documentElement.lang];
    return given ? Object.assign({}, poll, given) : poll;
  }

  /* A topic's name as a reader of ``language`` (the page's by default) sees it: the webinar
     file's translation where it gives one. Questions, filters and forms keep the webinar's own
     name, which is what the server knows. */
  function topicName(webinar, topic, language = document.documentElement.lang) {
    const given = webinar && webinar.translations && webinar.translations[language];
    const index = webinar && webinar.topics ? webinar.topics.indexOf(topic) : -1;
    return given && index >= 0 && given.topics && given.topics[index] ? given.topics[index] : topic;
  }

  /* Connect with the given auth; call render(update) after every snapshot (update null) and update. */
  function connect(auth, state, render) {
    // acks' messages and the snapshot's webinar content in the page's language (issue 15)
    auth = Object.assign({ lang: document.documentElement.lang || "en" }, auth);
    const status = document.getElementById("connection");
    const show = (name, text) => {
      if (!status || status.dataset.state === name) return;
      status.dataset.state = name;
      status.textContent = text;
      document.body.dataset.connection = name;
    };
    const socket = io({ auth, transports: ["websocket", "polling"] });
    let signedOut = null;
    socket.on("connect", () => { show("connected", _("Connected")); clearOffline(); });
    // sent just before the server ends this connection for good (a changed moderator key)
    socket.on("signed_out", (notice) => { signedOut = notice.message; });
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") {
        // the server ended it on purpose: Socket.IO does not reconnect, so say so plainly
        show("refused", signedOut || _("Disconnected by the server: reload the page to connect again."));
      } else if (reason !== "io client disconnect") {
        show("reconnecting", _("Reconnecting…"));
      }
    });
    socket.io.on("reconnect_attempt", () => {
      if (!navigator.onLine) show("offline", _("Offline: waiting for the network…"));
    });
    socket.on("connect_error", (err) => {
      const refused = err && err.data && err.data.error;
      if (refused === "unavailable" || refused === "rate_limited" || refused === "full") {
        // not final (storage away, process restarting or full): try again, spread out in time
        // so that a crowd does not come back at once (Socket.IO does not retry these by itself)
        show("reconnecting", _("Reconnecting: the server is busy…"));
        const delay = refused === "full" ? 5000 + Math.random() * 10000 : 1000 + Math.random() * 2000;
        setTimeout(() => socket.connect(), delay);
      } else if (refused) {
        show("refused", _("Not connected: %(reason)s", { reason: err.message }));
      } else {
        show(navigator.onLine ? "reconnecting" : "offline",
             navigator.onLine ? _("Reconnecting…") : _("Offline: waiting for the network…"));
      }
    });
    window.addEventListener("offline", () => show("offline", _("Offline: waiting for the network…")));
    socket.on("snapshot", (snap) => { applySnapshot(state, snap); render(null); });
    socket.on("update", (update) => { applyUpdate(state, update); render(update); });
    return socket;
  }

  /* Show an action's outcome in a message element: the server's message when it failed, else
     `okText`. A failure for want of a connection is marked, so that it goes away by itself once
     the page is connected again. Returns whether the action succeeded. */
  function say(el, ack, okText = "") {
    el.textContent = ack.ok ? okText : ack.message;
    el.classList.toggle("error", !ack.ok);
    el.classList.toggle("ok", Boolean(ack.ok && okText));
    if (!ack.ok && (ack.error === "offline" || ack.error === "timeout")) el.dataset.offline = "";
    else delete el.dataset.offline;
    return Boolean(ack.ok);
  }

  function clearOffline() {
    for (const el of document.querySelectorAll("[data-offline]")) say(el, { ok: true });
  }

  /* Emit an event and wait for its ack. While offline nothing is queued: the action is refused at
     once, so that it can never be sent twice or lost without the person knowing. */
  function send(socket, event, payload) {
    if (!socket.connected) {
      return Promise.resolve({ ok: false, error: "offline",
        message: "You are offline, so nothing was sent. Try again when the page says Connected." });
    }
    return new Promise((resolve) => {
      socket.timeout(10000).emit(event, payload, (err, ack) => {
        resolve(err ? { ok: false, error: "timeout",
          message: "No answer from the server. Check the list before trying again." } : ack);
      });
    });
  }

  /* Fetch the questions the snapshot left out, a page at a time, newest first (the `questions`
     event). A question the page knows already is kept: updates keep it current. Resolves to
     whether every question is here now. */
  async function loadQuestions(socket, state) {
    let before = null;
    for (;;) {
      const ack = await send(socket, "questions", before === null ? {} : { before });
      if (!ack.ok) return false;
      for (const q of ack.questions) if (!state.questions.has(q.id)) state.questions.set(q.id, q);
      if (!ack.more || !ack.questions.length) break;
      before = ack.questions[ack.questions.length - 1].id;
    }
    state.moreQuestions = 0;
    return true;
  }

  function formatLocalTimes() {
    for (const el of document.querySelectorAll("time.local-time")) {
      const start = new Date(el.getAttribute("datetime"));
      const end = el.dataset.end ? new Date(el.dataset.end) : null;
      // in the page's language, in the reader's own time zone
      const day = LiveI18n.formatDate(start, { dateStyle: "full" });
      const clock = (date) => LiveI18n.formatTime(date);
      const zone = new Intl.DateTimeFormat(LiveI18n.language, { timeZoneName: "short" })
        .formatToParts(start).find((p) => p.type === "timeZoneName");
      const when = `${day}, ${clock(start)}${end ? "–" + clock(end) : ""}`;
      el.textContent = zone ? _("%(when)s (%(zone)s, your time)", { when, zone: zone.value }) : when;
    }
  }

  function byPopularity(a, b) { return b.upvotes - a.upvotes || a.id - b.id; }
  function byRecency(a, b) { return b.id - a.id; }
  function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

  // read when shown (getters), so that they are in the page's language once the catalogue is in
  const STATUS_LABELS = {
    get pending() { return _("waiting for review"); }, get live() { return _("live"); },
    get answered() { return _("answered"); }, get dismissed() { return _("dismissed"); },
    get archived() { return _("archived"); }, get merged() { return _("merged"); },
  };
  // why a question was dismissed: the button a moderator presses, and how attendees read it
  const REASONS = [
    ["off_topic", () => _("Off-topic"), (n) => ngettext("%(num)d as off-topic", "%(num)d as off-topic", n)],
    ["duplicate", () => _("Duplicate"), (n) => ngettext("%(num)d as a duplicate", "%(num)d as duplicates", n)],
    ["already_answered", () => _("Already answered"),
      (n) => ngettext("%(num)d as already answered", "%(num)d as already answered", n)],
    ["inappropriate", () => _("Inappropriate"), (n) => ngettext("%(num)d as inappropriate", "%(num)d as inappropriate", n)],
    ["other", () => _("Other"), (n) => ngettext("%(num)d for another reason", "%(num)d for other reasons", n)],
  ];
  // how attendees read a reason: "Status: dismissed (off-topic)"
  const REASON_LABELS = {
    get off_topic() { return _("off-topic"); }, get duplicate() { return _("duplicate"); },
    get already_answered() { return _("already answered"); }, get inappropriate() { return _("inappropriate"); },
    get other() { return _("other"); },
  };

  /* A timed poll's countdown ("Closes in 0:42"), kept current by one timer for the whole page.
     Counted with the server's clock: the snapshot says what time it is there. */
  let clockOffset = 0;
  function countdown(poll) {
    if (poll.state !== "open" || !poll.closes_at) return null;
    const el = h("p", { class: "countdown", dataset: { closesAt: poll.closes_at } });
    tickCountdown(el);
    return el;
  }
  function tickCountdown(el) {
    const left = Math.ceil((Date.parse(el.dataset.closesAt) - (Date.now() + clockOffset)) / 1000);
    el.textContent = left > 0
      ? _("Closes in %(time)s", { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` })
      : _("Closing…");
  }
  setInterval(() => document.querySelectorAll(".countdown[data-closes-at]").forEach(tickCountdown), 1000);

  /* The topic filter's buttons (templates/_topic_filter.html): call changed(topic) on a press;
     topic is "" for all. */
  function topicFilter(changed) {
    const buttons = [...document.querySelectorAll(".topic-filter button.topic")];
    for (const button of buttons) {
      button.addEventListener("click", () => {
        for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
        changed(button.dataset.topic);
      });
    }
  }

  /* The order toolbar (templates/_order_toolbar.html): one pressed button; changed(order). */
  function orderToolbar(changed) {
    const buttons = [...document.querySelectorAll(".order-toolbar button.order")];
    for (const button of buttons) {
      button.addEventListener("click", () => {
        for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
        changed(button.dataset.order);
      });
    }
  }

  /* Tabs (the ARIA tabs pattern): a click or Enter selects one; the arrow keys, Home and End
     move among them and select as they go. Returns select(tab), for the page to switch too. */
  function tabs(tablist, selected = () => {}) {
    const all = [...tablist.querySelectorAll("[role=tab]")];
    const select = (tab, focus = false) => {
      for (const other of all) {
        const on = other === tab;
        other.setAttribute("aria-selected", String(on));
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      }
      if (focus) tab.focus();
      selected(tab);
    };
    for (const tab of all) tab.addEventListener("click", () => select(tab));
    tablist.addEventListener("keydown", (event) => {
      const at = all.indexOf(document.activeElement);
      const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
      if (at < 0 || next === undefined) return;
      event.preventDefault();
      select(all[(next + all.length) % all.length], true);
    });
    return select;
  }

  /* "Dismissed by the moderators: 2 as duplicates, 1 as off-topic." (empty when none) */
  function dismissedSummary(counts) {
    const parts = REASONS.filter(([code]) => counts && counts[code]).map(([code, , text]) => text(counts[code]));
    return parts.length ? _("Dismissed by the moderators: %(reasons)s.", { reasons: parts.join(", ") }) : "";
  }

  /* A poll's results as bars. The text gives each count and percentage; the bar only repeats it.
     Called again with the element it returned, it moves the bars instead of redrawing them. */
  /* How an option reads: a rating poll's options are stars. */
  function optionLabel(poll, label) {
    return poll.kind === "rating" ? `${"★".repeat(Number(label))} ${ngettext("%(num)d star", "%(num)d stars", Number(label))}` : label;
  }

  /* A word cloud: the words given most are largest (five sizes, by share of the top count). */
  function cloud(poll) {
    const r = poll.results;
    const top = r.words.length ? r.words[0][1] : 1;
    return h("div", { class: "results" },
      h("ul", { class: "cloud", "aria-label": _("Words given, the most frequent first") },
        r.words.map(([word, count]) => h("li", { class: `w${Math.max(1, Math.ceil((5 * count) / top))}` },
          word, h("span", { class: "visually-hidden" }, `: ${ngettext("%(num)d time", "%(num)d times", count)}`)))),
      h("p", { class: "voters" }, ngettext("%(num)d voter", "%(num)d voters", r.voters)));
  }

  /* An open text poll's answers: all of them for moderators, the chosen ones for everyone else. */
  function answers(poll) {
    const r = poll.results;
    return h("div", { class: "results" },
      h("ul", { class: "answers" }, r.answers.map((a) => h("li", { dataset: { text: a.text } },
        h("span", { class: "answer-text" }, a.text),
        a.count > 1 ? h("span", { class: "hint" }, ` (${ngettext("%(num)d person", "%(num)d people", a.count)})`) : null))),
      h("p", { class: "voters" }, ngettext("%(num)d answer", "%(num)d answers", r.voters)));
  }

  /* Whether a poll has something to show: an open text poll shows only the answers chosen. */
  function hasResults(poll) {
    return Boolean(poll.results) && (poll.kind !== "text" || poll.results.answers.length > 0);
  }

  /* A ranking's results: the options by average rank, first the one ranked highest. */
  function ranking(poll) {
    const r = poll.results;
    const order = poll.options.map((label, i) => [label, r.ranks[i]])
      .sort((x, y) => (x[1] ?? Infinity) - (y[1] ?? Infinity));
    return h("div", { class: "results" },
      h("ol", { class: "ranking" }, order.map(([label, rank]) => h("li", {},
        h("span", { class: "bar-label" }, label),
        h("span", { class: "hint" }, rank === null ? ""
          : ` · ${_("average rank %(rank)s", { rank: LiveI18n.formatNumber(Number(rank), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })}`)))),
      h("p", { class: "voters" }, ngettext("%(num)d voter", "%(num)d voters", r.voters)));
  }

  const REDRAWN = { ranking, text: answers, words: cloud };

  function results(poll, el) {
    // a ranking, the answers and a word cloud are drawn anew; bars move to their new length
    if (Object.hasOwn(REDRAWN, poll.kind)) {
      const fresh = REDRAWN[poll.kind](poll);
      if (el) el.replaceWith(fresh);
      return fresh;
    }
    const r = poll.results;
    const sameShape = el && el.querySelectorAll(".bars > li").length === poll.options.length;
    if (!sameShape) {
      el = h("div", { class: "results" },
        h("ul", { class: "bars" }, poll.options.map((label) =>
          h("li", {},
            h("span", { class: "bar-label" }, label),
            h("span", { class: "bar-value" }),
            h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "bar-fill" }))))),
        h("p", { class: "voters" }), h("p", { class: "average" }));
    }
    el.querySelectorAll(".bars > li").forEach((li, i) => {
      li.querySelector(".bar-label").textContent = optionLabel(poll, poll.options[i]);
      li.querySelector(".bar-value").textContent = `${r.counts[i]} (${r.percentages[i]}%)`;
      // set through the CSSOM: a style attribute would need 'unsafe-inline' in the CSP; the
      // frame's delay lets a new bar grow from zero
      const fill = li.querySelector(".bar-fill");
      const width = `${Math.min(r.percentages[i], 100)}%`;
      if (sameShape) fill.style.width = width;
      else requestAnimationFrame(() => requestAnimationFrame(() => { fill.style.width = width; }));
    });
    el.querySelector(".voters").textContent = ngettext("%(num)d voter", "%(num)d voters", r.voters);
    const average = el.querySelector(".average");
    average.hidden = poll.kind !== "rating" || r.average === null || r.average === undefined;
    average.textContent = average.hidden ? "" : _("Average rating: %(average)s of 5 stars",
      { average: LiveI18n.formatNumber(Number(r.average), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
    return el;
  }

  // once the catalogue is in (the sentence around the date is translated)
  document.addEventListener("DOMContentLoaded", () => LiveI18n.ready.then(formatLocalTimes));
  return { h, syncList, announce, createState, applySnapshot, applyUpdate, connect, send, say, loadQuestions,
           byPopularity, byRecency, plural, STATUS_LABELS, REASONS, REASON_LABELS, dismissedSummary, topicFilter, orderToolbar, tabs, countdown, optionLabel, hasResults,
           results, inLanguage, topicName };
})();
