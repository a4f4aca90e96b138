/* The attendee's poll card: one form for the six kinds of poll. Each kind only says which
   fields it has, how to read them into a vote, and what the voter gave before (me.ballots), so
   that a rebuilt card or a reloaded page shows the vote as it was counted. */
"use strict";

const LivePolls = (() => {
  const { h, send } = Live;
  const _ = LiveI18n.gettext;

  /* Option buttons (single, multiple, rating): the ballot is the checked options' indexes. */
  function choices(poll, ballot) {
    const type = poll.kind === "multiple" ? "checkbox" : "radio";
    const inputs = poll.options.map((label, i) => h("input", { type, id: `poll-${poll.id}-${i}`,
      name: `poll-${poll.id}`, value: i, checked: (ballot || []).includes(i) }));
    return {
      hint: { multiple: _("Choose all that apply."), rating: _("Choose a rating from 1 to 5 stars.") }[poll.kind]
        || _("Choose one."),
      fields: inputs.map((input, i) => h("div", { class: "choice" }, input,
        h("label", { for: input.id }, Live.optionLabel(poll, poll.options[i])))),
      submit: _("Submit vote"),
      read() {
        const options = inputs.filter((i) => i.checked).map((i) => Number(i.value));
        return options.length ? { options } : { error: _("Choose an option first.") };
      },
      kept: (ack) => ack.options,
      counted: (open) => open ? _("Your vote is counted. You can change it while the poll is open.")
        : _("Your vote was counted."),
    };
  }

  /* A word cloud: up to three words or short phrases. */
  function words(poll, ballot) {
    const inputs = [0, 1, 2].map((n) => h("input", { id: `poll-${poll.id}-word-${n + 1}`, maxlength: "40",
      autocomplete: "off" }));
    inputs.forEach((input, n) => { input.value = (ballot || [])[n] || ""; });
    return {
      hint: _("Up to three words or short phrases."),
      fields: inputs.map((input, n) => h("div", { class: "stack" },
        h("label", { for: input.id }, n ? _("Word %(n)s (optional)", { n: n + 1 }) : _("Word 1")), input)),
      submit: _("Send my words"),
      read() {
        const given = inputs.map((i) => i.value.trim()).filter(Boolean);
        return given.length ? { words: given } : { error: _("Type at least one word first.") };
      },
      kept: (ack) => ack.words,
      counted: (open, kept) => open
        ? _("Your words are counted: %(words)s. You can change them while the poll is open.", { words: kept.join(", ") })
        : _("Your words were counted: %(words)s.", { words: kept.join(", ") }),
    };
  }

  /* An open text poll: one answer, which the moderators may choose to show to all. */
  function text(poll, ballot) {
    const box = h("textarea", { id: `poll-${poll.id}-text`, rows: "3", maxlength: "300" });
    box.value = (ballot || [])[0] || "";
    return {
      hint: _("The moderators read every answer and may show some on screen."),
      fields: [h("div", { class: "stack" }, h("label", { for: box.id }, _("Your answer")), box)],
      submit: _("Send my answer"),
      read: () => box.value.trim() ? { text: box.value } : { error: _("Write your answer first.") },
      kept: (ack) => [ack.text],
      counted: (open) => open ? _("Your answer is sent. You can change it while the poll is open.")
        : _("Your answer was sent."),
    };
  }

  /* A ranking: the options in the voter's order, moved with buttons (keyboard friendly). */
  function ranking(poll, ballot, open) {
    const order = ballot && ballot.length === poll.options.length ? [...ballot] : poll.options.map((_, i) => i);
    const list = h("ol", { class: "rank-list" });
    const said = h("p", { class: "visually-hidden", "aria-live": "polite" });
    const draw = (focus) => {
      list.replaceChildren(...order.map((option, at) => h("li", {},
        h("span", {}, poll.options[option]),
        h("button", { type: "button", disabled: !open || at === 0, dataset: { move: `${option}:up` },
          "aria-label": _("Move %(option)s up", { option: poll.options[option] }), onclick: () => move(at, -1) }, "↑"),
        h("button", { type: "button", disabled: !open || at === order.length - 1,
          dataset: { move: `${option}:down` }, "aria-label": _("Move %(option)s down", { option: poll.options[option] }),
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
      said.textContent = _("%(option)s is now number %(place)s.", { option: poll.options[option], place: at + step + 1 });
    };
    draw(null);
    return {
      hint: _("Put them in your order, your first choice first."),
      fields: [list, said],
      submit: _("Send my ranking"),
      read: () => ({ options: [...order] }),
      kept: (ack) => ack.options,
      counted: (open) => open ? _("Your ranking is counted. You can change it while the poll is open.")
        : _("Your ranking was counted."),
    };
  }

  const KINDS = { single: choices, multiple: choices, rating: choices, words, text, ranking };

  /* The card of one poll: its form, and for a poll that collects them, the form to leave an
     email address (shown once the voter voted). */
  function card(socket, state, poll) {
    const interest = poll.collects_emails ? interestForm(socket, state, poll) : null;
    const ballot = state.me && state.me.ballots.get(poll.id);
    if (interest) interest.hidden = !(ballot && ballot.length) && !kept(state, poll);
    const voting = form(socket, state, poll, () => { if (interest) interest.hidden = false; });
    return h("div", { class: "poll-wrap" }, voting, interest);
  }

  /* A poll's form (disabled once closed), what the voter gave, its results. */
  function form(socket, state, poll, onVoted) {
    const open = poll.state === "open";
    const ballot = state.me && state.me.ballots.get(poll.id);
    const kind = KINDS[poll.kind](poll, ballot, open);
    const status = h("p", { class: "message", role: "status" },
      ballot && ballot.length ? kind.counted(open, ballot) : "");
    const form = h("form", { class: "poll card", "aria-labelledby": `poll-${poll.id}-legend` },
      h("fieldset", { disabled: !open },
        h("legend", { id: `poll-${poll.id}-legend` }, poll.prompt),
        Live.countdown(poll),
        h("p", { class: "hint" }, open ? kind.hint : _("This poll is closed.")),
        kind.fields,
        open ? h("button", { type: "submit" }, kind.submit) : null),
      status,
      Live.hasResults(poll) ? Live.results(poll) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const payload = kind.read();
      if (payload.error) { Live.say(status, { ok: false, message: payload.error }); return; }
      const ack = await send(socket, "vote", { poll: poll.id, ...payload });
      if (!ack.ok) { Live.say(status, ack); return; }
      const kept = kind.kept(ack);
      if (state.me) state.me.ballots.set(poll.id, kept);
      Live.say(status, ack, kind.counted(true, kept));
      onVoted(poll);
    });
    return form;
  }

  /* -- application information by email (the programme poll) -------------------------------- */
  const kept = (state, poll) => state.me && state.me.interests && state.me.interests[String(poll.id)];

  function interestForm(socket, state, poll) {
    const id = `interest-${poll.id}`;
    const organiser = (state.webinar && state.webinar.organiser) || _("The organisers");
    const email = h("input", { type: "email", id: `${id}-email`, autocomplete: "email", required: true });
    const consent = h("input", { type: "checkbox", id: `${id}-consent` });
    const status = h("p", { class: "message", role: "status" });
    const asking = h("div", { class: "stack" },
      h("label", { for: `${id}-email` }, _("Your email address")), email,
      h("div", { class: "choice" }, consent, h("label", { for: `${id}-consent` },
        _("I agree that %(organiser)s uses this address only to send me application information about the programmes I choose in this poll. It is deleted with this webinar's data, and I can withdraw it here at any time.", { organiser }))),
      h("p", { class: "hint" }, h("a", { href: `/e/${document.body.dataset.webinar}/privacy` },
        _("Privacy notice: how your data is used and for how long"))),
      h("div", {}, h("button", { type: "submit" }, _("Send my address"))));
    const keptText = h("p", {});
    const keeping = h("div", { class: "stack" }, keptText,
      h("div", {}, h("button", { type: "button", onclick: () => withdraw() }, _("Withdraw my address"))));
    const show = () => {
      const address = kept(state, poll);
      asking.hidden = Boolean(address);
      keeping.hidden = !address;
      keptText.textContent = address
        ? _("We will send application information about the programmes you chose to %(address)s.", { address }) : "";
    };
    const box = h("form", { class: "interest card", "aria-labelledby": `${id}-heading` },
      h("h3", { id: `${id}-heading` }, _("Application information by email")),
      h("p", {}, _("Would you like to receive how to apply for the programmes you chose? No other personal data is asked.")),
      asking, keeping, status);
    box.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ack = await send(socket, "interest", { poll: poll.id, email: email.value, consent: consent.checked });
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok ? _("Thank you: your address is kept for this purpose only.") : ack.message;
      if (!ack.ok) return;
      state.me.interests[String(poll.id)] = ack.email;
      show();
    });
    async function withdraw() {
      const ack = await send(socket, "interest", { poll: poll.id, email: null });
      status.className = ack.ok ? "message ok" : "message error";
      status.textContent = ack.ok ? _("Your address is deleted.") : ack.message;
      if (!ack.ok) return;
      delete state.me.interests[String(poll.id)];
      show();
      email.focus();
    }
    show();
    return box;
  }

  return { card };
})();
