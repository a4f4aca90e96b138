/* The attendee page: ask, upvote, answer polls. */
"use strict";

(() => {
  const { h, send } = Live;
  const body = document.body;
  const state = Live.createState();
  let order = "popular";
  const $ = (id) => document.getElementById(id);

  const socket = Live.connect(
    { webinar: body.dataset.webinar, participant: body.dataset.participant }, state, render);

  /* -- asking ------------------------------------------------------------------------------ */
  const text = $("question-text");
  const counter = $("question-counter");
  function updateCounter() {
    const limit = state.webinar ? state.webinar.settings.max_question_length : text.maxLength;
    counter.textContent = `${text.value.length} / ${limit} characters`;
  }
  text.addEventListener("input", updateCounter);

  $("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("ask-message");
    const payload = { text: text.value };
    const name = $("question-name").value.trim();
    if (name && !$("name-field").hidden) payload.name = name;
    const button = event.submitter || event.target.querySelector("button");
    button.disabled = true;
    const ack = await send(socket, "ask", payload);
    button.disabled = false;
    if (!ack.ok) {
      message.textContent = ack.message;
      message.className = "message error";
      return;
    }
    state.questions.set(ack.question.id, ack.question);
    if (state.me) state.me.questions.add(ack.question.id);
    text.value = "";
    updateCounter();
    message.className = "message";
    message.textContent = ack.question.status === "pending"
      ? "Sent. Your question is waiting for review by the moderators."
      : "Sent. Your question is in the list.";
    render();
  });

  /* -- ordering ---------------------------------------------------------------------------- */
  for (const button of document.querySelectorAll("button.order")) {
    button.addEventListener("click", () => {
      order = button.dataset.order;
      for (const other of document.querySelectorAll("button.order")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      render();
    });
  }

  /* -- rendering --------------------------------------------------------------------------- */
  function questionItem(q) {
    const upvoted = state.me && state.me.upvoted.has(q.id);
    const onAir = q.id === state.onAir;
    return h("li", { class: `question${onAir ? " on-air" : ""}`, dataset: { id: q.id } },
      onAir ? h("p", { class: "badge" }, "On screen now") : null,
      h("p", { class: "question-text" }, q.text),
      h("p", { class: "meta" }, q.name || "Anonymous",
        q.status === "answered" ? " · answered" : ""),
      h("button", { type: "button", class: "upvote", "aria-pressed": String(Boolean(upvoted)),
                    disabled: q.status !== "live", onclick: () => toggleUpvote(q.id) },
        "Upvote", h("span", { class: "count" }, ` ${q.upvotes}`,
          h("span", { class: "visually-hidden" }, q.upvotes === 1 ? " upvote" : " upvotes"))));
  }

  async function toggleUpvote(id) {
    const up = !state.me.upvoted.has(id);
    const ack = await send(socket, "upvote", { question: id, up });
    if (!ack.ok) { $("questions-announce").textContent = ack.message; return; }
    if (ack.up) state.me.upvoted.add(id); else state.me.upvoted.delete(id);
    const q = state.questions.get(id);
    if (q) q.upvotes = ack.question.upvotes;
    render();
  }

  function renderQuestions(update) {
    const list = $("questions");
    const visible = [...state.questions.values()]
      .filter((q) => q.status === "live" || q.status === "answered")
      .sort(order === "popular" ? Live.byPopularity : Live.byRecency);
    // keep focus on the same upvote button across the redraw
    const focused = document.activeElement && document.activeElement.closest("#questions li");
    const focusedId = focused && focused.dataset.id;
    list.replaceChildren(...visible.map(questionItem));
    if (focusedId) {
      const again = list.querySelector(`li[data-id="${focusedId}"] button`);
      if (again) again.focus();
    }
    $("questions-empty").hidden = visible.length > 0;
    const fresh = (update && update.questions || []).filter((q) => q.status === "live"
      && !(state.me && state.me.questions.has(q.id)) && q.upvotes === 0);
    if (fresh.length) {
      $("questions-announce").textContent =
        fresh.length === 1 ? "1 new question" : `${fresh.length} new questions`;
    }
  }

  function renderMine() {
    const mine = state.me ? [...state.me.questions].map((id) => state.questions.get(id)).filter(Boolean) : [];
    $("mine-section").hidden = mine.length === 0;
    $("mine").replaceChildren(...mine.sort(Live.byRecency).map((q) =>
      h("li", { class: "question mine" },
        h("p", { class: "question-text" }, q.text),
        h("p", { class: "meta" }, `Status: ${Live.STATUS_LABELS[q.status] || q.status}`))));
  }

  function pollCard(poll) {
    const ballot = (state.me && state.me.ballots.get(poll.id)) || [];
    const type = poll.kind === "single" ? "radio" : "checkbox";
    const open = poll.state === "open";
    const form = h("form", { class: "poll card", dataset: { id: poll.id } },
      h("fieldset", { disabled: !open },
        h("legend", {}, poll.prompt),
        poll.kind === "multiple" ? h("p", { class: "hint" }, "Choose all that apply.") : null,
        poll.options.map((label, i) => h("div", { class: "choice" },
          h("input", { type, id: `poll-${poll.id}-${i}`, name: `poll-${poll.id}`, value: i,
                       checked: ballot.includes(i) }),
          h("label", { for: `poll-${poll.id}-${i}` }, label))),
        open ? h("button", { type: "submit" }, "Submit vote") : h("p", { class: "hint" }, "This poll is closed.")),
      h("p", { class: "message", role: "status" },
        ballot.length ? "Your vote is counted. You can change it while the poll is open." : ""),
      poll.results ? Live.results(poll) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const options = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      const status = form.querySelector(".message");
      const ack = await send(socket, "vote", { poll: poll.id, options });
      if (!ack.ok) { status.textContent = ack.message; status.classList.add("error"); return; }
      state.me.ballots.set(poll.id, ack.options);
      status.classList.remove("error");
      status.textContent = "Your vote is counted. You can change it while the poll is open.";
    });
    return form;
  }

  function renderPolls() {
    const container = $("polls");
    const polls = [...state.polls.values()].filter((p) => p.state === "open" || p.results);
    $("polls-section").hidden = polls.length === 0;
    // redraw a card only when its poll changed, so a half-filled ballot is not wiped out
    const existing = new Map([...container.children].map((el) => [Number(el.dataset.id), el]));
    const cards = polls.map((poll) => {
      const key = JSON.stringify(poll);
      const card = existing.get(poll.id);
      if (card && card.dataset.key === key) return card;
      const fresh = pollCard(poll);
      fresh.dataset.key = key;
      return fresh;
    });
    container.replaceChildren(...cards);
  }

  function render(update) {
    if (state.webinar) {
      $("name-field").hidden = !state.webinar.settings.ask_names;
      text.maxLength = state.webinar.settings.max_question_length;
      updateCounter();
    }
    renderPolls();
    renderMine();
    renderQuestions(update);
  }
})();
