/* The console's polls: each poll's card with its actions (open with a time limit, close, results
   to attendees, on screen, an open text poll's answers to show), the open poll in the bar across
   the top, and a new poll in a dialog. Mounted by moderate.js with what the console shares. */
"use strict";

const LiveConsolePolls = (() => {
  const { h, send } = Live;
  const _ = LiveI18n.gettext;
  const ngettext = LiveI18n.ngettext;
  const $ = (id) => document.getElementById(id);

  /* Set up the polls' part of the console; returns render(), called after every change. */
  function mount({ socket, state, report, showOnScreen, render }) {
    async function pollAction(id, action, seconds) {
      report(await send(socket, "poll", seconds ? { poll: id, action, seconds } : { poll: id, action }));
    }

    function createPoll(poll) {
      const el = h("article", { class: "card poll", dataset: { poll: poll.id } },
        h("p", { class: "badges" }, h("span", { class: "badge open-badge", hidden: true }, _("Open now")),
          h("span", { class: "badge on-air-badge on-screen-badge", hidden: true })),
        h("h3", {}, poll.prompt), h("p", { class: "meta" }), h("div", { class: "timer" }),
        Live.results(poll), h("div", { class: "actions" }));
      updatePoll(el, poll);
      return el;
    }

    function updatePoll(el, poll) {
      const kind = { single: _("Single choice"), multiple: _("Multiple choice"), rating: _("Rating, 1 to 5 stars"),
        words: _("Word cloud"), text: _("Open text"), ranking: _("Ranking") }[poll.kind];
      const stage = { draft: _("Draft"), open: _("Open"), closed: _("Closed") }[poll.state];
      el.querySelector(".meta").textContent = [kind, stage,
        poll.results_visible ? _("results shown to attendees") : _("results hidden from attendees"),
        poll.collects_emails ? ngettext("%(num)d email address left", "%(num)d email addresses left", poll.interested || 0) : "",
      ].filter(Boolean).join(" · ");
      Live.results(poll, el.querySelector(".results"));
      if (poll.kind === "text") chooseAnswers(el, poll);
      const timer = el.querySelector(".timer");
      if (timer.dataset.closesAt !== String(poll.state === "open" && poll.closes_at)) {
        timer.dataset.closesAt = String(poll.state === "open" && poll.closes_at);
        timer.replaceChildren(...[Live.countdown(poll)].filter(Boolean));
      }
      const screen = state.screen || {};
      const onScreen = screen.id === poll.id && ["poll", "results"].includes(screen.kind) ? screen.kind : null;
      el.querySelector(".open-badge").hidden = poll.state !== "open";
      el.classList.toggle("open", poll.state === "open");
      const badge = el.querySelector(".on-screen-badge");
      badge.hidden = !onScreen;
      badge.textContent = onScreen === "results" ? _("Results on screen") : _("On screen");
      el.classList.toggle("on-air", Boolean(onScreen));
      const buttons = [];
      if (poll.state !== "open") buttons.push([_("Open poll"), "open", "primary"]);
      if (poll.state === "open") buttons.push([_("Close poll"), "close", null]);
      buttons.push(poll.results_visible ? [_("Hide results"), "hide_results", null] : [_("Show results"), "show_results", null]);
      // what the screen shows is chosen apart from what attendees see
      if (poll.state !== "draft" && onScreen !== "poll") buttons.push([_("Put on screen"), "screen:poll", null]);
      if (poll.state !== "draft" && onScreen !== "results") buttons.push([_("Put results on screen"), "screen:results", null]);
      const actions = el.querySelector(".actions");
      const signature = buttons.map((b) => b[1]).join();
      if (actions.dataset.signature === signature) return;  // keep the focused button
      actions.dataset.signature = signature;
      // a poll can be opened for a while: it then closes by itself, with a countdown everywhere
      const limit = h("select", { id: `limit-${poll.id}` },
        ...[["", _("No time limit")], ["30", ngettext("%(num)d second", "%(num)d seconds", 30)],
            ["60", ngettext("%(num)d minute", "%(num)d minutes", 1)], ["120", ngettext("%(num)d minute", "%(num)d minutes", 2)],
            ["300", ngettext("%(num)d minute", "%(num)d minutes", 5)]].map(([value, label]) => h("option", { value }, label)));
      const open = (action) => action.startsWith("screen:") ? showOnScreen(action.slice(7), poll.id)
        : action === "open" && limit.value
          ? pollAction(poll.id, action, Number(limit.value)) : pollAction(poll.id, action);
      actions.replaceChildren(
        ...(poll.state !== "open"
          ? [h("label", { for: `limit-${poll.id}`, class: "limit-label" }, _("Time limit")), limit] : []),
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
        // the label says what the button does now: its answer is on screen or not
        const button = h("button", { type: "button", class: on ? "choose primary" : "choose",
          onclick: () => {
            lastChosen = `${poll.id}:${text}`;
            send(socket, "poll", { poll: poll.id, action: on ? "hide_answer" : "show_answer", answer: text })
              .then(report);
          } }, on ? _("Take off screen") : _("Show on screen"));
        if (on) li.append(h("span", { class: "badge shown-badge" }, _("Shown")));
        li.append(button);
        if (lastChosen === `${poll.id}:${text}` && document.activeElement === document.body) button.focus();
      }
    }

    /* The open poll, unmistakable in the bar across the top: its question and the time left. */
    function renderOpenPoll() {
      const open = [...state.polls.values()].filter((p) => p.state === "open").map(Live.inLanguage);
      const bar = $("open-poll");
      const signature = open.map((p) => `${p.id}:${p.closes_at}:${p.prompt}`).join();
      if (bar.dataset.signature === signature) return;
      bar.dataset.signature = signature;
      bar.classList.toggle("running", open.length > 0);
      bar.replaceChildren(...(open.length
        ? [h("span", { class: "badge live-badge" }, open.length > 1 ? ngettext("%(num)d poll open", "%(num)d polls open", open.length) : _("Poll open")),
           h("span", { class: "open-prompt" }, open.map((p) => p.prompt).join(" · ")),
           ...open.map((p) => Live.countdown(p)).filter(Boolean)]
        : [h("span", { class: "hint" }, _("No poll is open."))]));
    }

    /* -- a new poll, in a dialog opened from the top -------------------------------------------- */
    const dialog = $("new-poll-dialog");
    $("new-poll-button").addEventListener("click", () => {
      $("new-poll-message").textContent = "";
      dialog.showModal();
      $("poll-prompt").focus();
    });
    $("new-poll-cancel").addEventListener("click", () => dialog.close());
    // the focus goes back to the button that opened it, as a dialog's does
    dialog.addEventListener("close", () => { if (!created) $("new-poll-button").focus(); created = null; });
    let created = null;

    $("new-poll").addEventListener("submit", async (event) => {
      event.preventDefault();
      const kind = document.querySelector("input[name=kind]:checked").value;
      // a rating poll's options are its stars; a word cloud has none
      const options = ["rating", "words", "text"].includes(kind) ? []
        : $("poll-options").value.split("\n").map((s) => s.trim()).filter(Boolean);
      const ack = await send(socket, "create_poll", { prompt: $("poll-prompt").value, kind, options });
      if (!report(ack, "new-poll-message")) return;
      event.target.reset();
      $("poll-options-field").hidden = false;
      created = ack.poll;
      state.polls.set(ack.poll.id, ack.poll);
      render(null);
      dialog.close();
      Live.say($("poll-message"), ack, _("Poll created as a draft: open it when you are ready."));
      // the new poll's first button: open it when ready
      $("poll-list").querySelector(`[data-poll="${ack.poll.id}"] .actions button`)?.focus();
    });

    return () => {
      // each poll's prompt and options in the console's language where the webinar file gives them
      Live.syncList($("poll-list"), [...state.polls.values()].map(Live.inLanguage), (p) => p.id, createPoll, updatePoll);
      renderOpenPoll();
    };
  }

  return { mount };
})();
