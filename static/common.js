/* Shared by the three views: the connection, the room state kept from snapshot + update, and a
   DOM helper. User text only ever reaches the page through textContent, never as HTML. */
"use strict";

const Live = (() => {
  /* Build an element: h("li", {class: "q", dataset: {id: 1}}, "text", child). */
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

  function createState() {
    return { role: null, webinar: null, questions: new Map(), polls: new Map(),
             onAir: null, online: 0, me: null };
  }

  function applySnapshot(state, snap) {
    state.role = snap.role;
    state.webinar = snap.webinar;
    state.questions = new Map(snap.questions.map((q) => [q.id, q]));
    state.polls = new Map(snap.polls.map((p) => [p.id, p]));
    state.onAir = snap.on_air;
    state.online = snap.online;
    state.me = snap.me && {
      questions: new Set(snap.me.questions),
      upvoted: new Set(snap.me.upvoted),
      ballots: new Map(Object.entries(snap.me.ballots).map(([k, v]) => [Number(k), v])),
    };
  }

  function applyUpdate(state, update) {
    if ("on_air" in update) state.onAir = update.on_air;
    if ("online" in update) state.online = update.online;
    if (update.settings && state.webinar) state.webinar.settings = update.settings;
    for (const q of update.questions || []) state.questions.set(q.id, q);
    for (const id of update.removed || []) {
      // the author keeps following their own question (its new status comes to them alone)
      if (!(state.me && state.me.questions.has(id))) state.questions.delete(id);
    }
    for (const p of update.polls || []) state.polls.set(p.id, p);
  }

  /* Connect with the given auth; call render() after every snapshot and update. */
  function connect(auth, state, render) {
    const status = document.getElementById("connection");
    const show = (name, text) => {
      if (!status) return;
      status.dataset.state = name;
      status.textContent = text;
    };
    const socket = io({ auth, transports: ["websocket", "polling"] });
    socket.on("connect", () => show("connected", "Connected"));
    socket.on("disconnect", () => show("reconnecting", "Reconnecting…"));
    socket.io.on("reconnect_attempt", () => show("reconnecting", "Reconnecting…"));
    socket.on("connect_error", (err) => {
      const refused = err && err.data && err.data.error;
      show(refused ? "refused" : "offline",
           refused ? `Not connected: ${err.message}` : "Offline: trying to reconnect…");
      if (refused) socket.disconnect();
    });
    window.addEventListener("offline", () => show("offline", "Offline: trying to reconnect…"));
    socket.on("snapshot", (snap) => { applySnapshot(state, snap); render(); });
    socket.on("update", (update) => { applyUpdate(state, update); render(update); });
    return socket;
  }

  /* Emit an event with an ack; refuse at once, clearly, when offline rather than queue it. */
  function send(socket, event, payload) {
    if (!socket.connected) {
      return Promise.resolve({ ok: false, error: "offline",
        message: "You are offline. Nothing was sent; try again when connected." });
    }
    return new Promise((resolve) => {
      socket.timeout(10000).emit(event, payload, (err, ack) => {
        resolve(err ? { ok: false, error: "timeout",
          message: "No answer from the server. Check the list before trying again." } : ack);
      });
    });
  }

  function formatLocalTimes() {
    for (const el of document.querySelectorAll("time.local-time")) {
      const start = new Date(el.getAttribute("datetime"));
      const end = el.dataset.end ? new Date(el.dataset.end) : null;
      const day = new Intl.DateTimeFormat(undefined, { dateStyle: "full" }).format(start);
      const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
      const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
        .formatToParts(start).find((p) => p.type === "timeZoneName");
      el.textContent = `${day}, ${clock.format(start)}${end ? "–" + clock.format(end) : ""}` +
        (zone ? ` (${zone.value}, your time)` : "");
    }
  }

  function byPopularity(a, b) { return b.upvotes - a.upvotes || a.id - b.id; }
  function byRecency(a, b) { return b.id - a.id; }

  const STATUS_LABELS = { pending: "waiting for review", live: "live", answered: "answered",
                          dismissed: "dismissed", archived: "archived" };

  /* Bars of a poll's results: text gives the count and percentage, the bar only repeats it. */
  function results(poll) {
    const r = poll.results;
    return h("div", { class: "results" },
      h("ul", { class: "bars" }, poll.options.map((label, i) =>
        h("li", {},
          h("span", { class: "bar-label" }, label),
          h("span", { class: "bar-value" }, `${r.counts[i]} (${r.percentages[i]}%)`),
          h("span", { class: "bar", "aria-hidden": "true" }, fill(r.percentages[i]))))),
      h("p", { class: "voters" }, `${r.voters} ${r.voters === 1 ? "voter" : "voters"}`));
  }

  function fill(percent) {
    // set through the CSSOM: a style attribute would need 'unsafe-inline' in the CSP
    const el = h("span", { class: "bar-fill" });
    el.style.width = `${Math.min(percent, 100)}%`;
    return el;
  }

  document.addEventListener("DOMContentLoaded", formatLocalTimes);
  return { h, createState, applySnapshot, applyUpdate, connect, send, byPopularity, byRecency,
           STATUS_LABELS, results };
})();
