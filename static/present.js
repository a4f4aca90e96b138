/* The projector: the poll that is running, else the question on air, else the top questions.
   Nothing here changes the room: the only button makes the page full screen. */
"use strict";

(() => {
  const { h, plural } = Live;
  const state = Live.createState();
  const stage = document.getElementById("stage");
  let shown = "";  // what the stage shows, so that a change of counts animates instead of redrawing
  Live.connect({ webinar: document.body.dataset.webinar, viewer: true }, state, render);

  const fullscreen = document.getElementById("fullscreen");
  const toggleFullscreen = () => (document.fullscreenElement
    ? document.exitFullscreen() : document.documentElement.requestFullscreen()).catch(() => {});
  fullscreen.addEventListener("click", toggleFullscreen);
  document.addEventListener("keydown", (event) => { if (event.key === "f") toggleFullscreen(); });
  document.addEventListener("fullscreenchange", () => { fullscreen.hidden = Boolean(document.fullscreenElement); });

  function pollView(poll) {
    if (Live.hasResults(poll)) return h("section", { class: "screen-poll" }, h("h2", {}, poll.prompt), Live.results(poll));
    return h("section", { class: "screen-poll" },
      h("h2", {}, poll.prompt),
      h("ul", { class: "screen-options" }, poll.options.map((label) => h("li", {}, Live.optionLabel(poll, label)))),
      h("p", { class: "screen-hint" }, poll.state !== "open" ? "The poll is closed"
        : { words: "Send your words from your phone now", text: "Send your answer from your phone now",
            ranking: "Rank them on your phone now" }[poll.kind]
          || "Vote on your phone now"),
      Live.countdown(poll));
  }

  function render() {
    // a poll takes the screen while it is open or its results are shown (the newest one wins)
    const poll = [...state.polls.values()].filter((p) => p.state === "open" || Live.hasResults(p))
      .sort((a, b) => b.id - a.id)[0];
    const onAir = state.questions.get(state.onAir);
    if (poll) {
      const key = `poll:${poll.id}:${Live.hasResults(poll)}:${poll.state}`;
      if (key === shown && Live.hasResults(poll)) Live.results(poll, stage.querySelector(".results"));
      else stage.replaceChildren(pollView(poll));
      shown = key;
    } else if (onAir) {
      shown = `question:${onAir.id}:${onAir.upvotes}:${onAir.reply}:${onAir.topic}`;
      const facts = [onAir.name || "Anonymous", plural(onAir.upvotes, "upvote", "upvotes")];
      if (onAir.asked_by > 1) facts.push(`asked by ${onAir.asked_by} people`);
      if (onAir.topic) facts.push(onAir.topic);
      stage.replaceChildren(h("section", { class: "screen-question" },
        h("p", { class: "badge" }, "Question on screen"),
        h("blockquote", {}, onAir.text),
        h("p", { class: "meta" }, facts.join(" · ")),
        onAir.reply ? h("div", { class: "reply" }, h("p", { class: "reply-label" }, "Written answer"),
          h("p", { class: "reply-text" }, onAir.reply)) : null));
    } else {
      const top = [...state.questions.values()].filter((q) => q.status === "live")
        .sort(Live.byPopularity).slice(0, 5);
      const key = `top:${top.map((q) => `${q.id}/${q.upvotes}/${q.text}`).join()}`;
      if (key !== shown) {
        stage.replaceChildren(h("section", { class: "screen-top" },
          h("h2", {}, top.length ? "Top questions" : "Scan the code and ask your question"),
          h("ol", {}, top.map((q) => h("li", {},
            h("span", { class: "votes" }, `${q.upvotes}`, h("span", { class: "visually-hidden" }, " upvotes")),
            h("span", {}, q.text))))));
      }
      shown = key;
    }
  }
})();
