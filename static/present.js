/* The projector screen: the poll that is running, else the question on air, else the top questions. */
"use strict";

(() => {
  const { h } = Live;
  const state = Live.createState();
  const stage = document.getElementById("stage");
  Live.connect({ webinar: document.body.dataset.webinar, viewer: true }, state, render);

  function render() {
    // a poll takes the screen while it is open or its results are shown (the newest one wins)
    const polls = [...state.polls.values()].filter((p) => p.state === "open" || p.results);
    const poll = polls.sort((a, b) => b.id - a.id)[0];
    const onAir = state.questions.get(state.onAir);
    if (poll) {
      stage.replaceChildren(h("section", { class: "screen-poll" },
        h("h2", {}, poll.prompt),
        poll.results ? Live.results(poll)
          : h("p", { class: "screen-hint" }, poll.state === "open" ? "Vote on your phone now." : "")));
    } else if (onAir) {
      stage.replaceChildren(h("section", { class: "screen-question" },
        h("p", { class: "badge" }, "Question on screen"),
        h("blockquote", {}, onAir.text),
        h("p", { class: "meta" }, `${onAir.name || "Anonymous"} · ${onAir.upvotes} upvotes`)));
    } else {
      const top = [...state.questions.values()].filter((q) => q.status === "live")
        .sort(Live.byPopularity).slice(0, 5);
      stage.replaceChildren(h("section", { class: "screen-top" },
        h("h2", {}, top.length ? "Top questions" : "Scan the code and ask your question"),
        h("ol", {}, top.map((q) => h("li", {}, h("span", { class: "votes" }, `${q.upvotes}`),
          h("span", {}, q.text))))));
    }
  }
})();
