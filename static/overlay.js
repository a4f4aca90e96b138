/* The overlay for a stream (an OBS or vMix browser source): the screen's question as a lower
   third, its poll or results as a compact panel, on a transparent page; nothing for the welcome,
   top questions and blank screens. The panel enters and leaves with a short transition, none when
   the system asks for reduced motion (live.css). Rendering is the screen's (screen.js). */
"use strict";

(() => {
  const root = document.querySelector(".overlay");
  const panel = root.querySelector(".stage");
  const content = root.querySelector(".screen-stage");
  // the size asked for in the address (?scale=), checked by the server
  root.style.setProperty("--scale", root.dataset.scale);
  const state = Live.createState();
  const render = LiveScreen.mount(root, true);
  const nothing = () => LiveScreen.pick(state, root, true).kind === "none";
  // the question or poll shown ("question:12"), "" when nothing is
  let shown = "";
  const moves = () => getComputedStyle(panel).transitionDuration.split(",").some((d) => parseFloat(d) > 0);

  function leave() {
    root.dataset.screen = "none";
    shown = "";
    const gone = () => {
      // something may have come meanwhile: it stays
      if (!nothing()) return;
      panel.hidden = true;
      render(state);
    };
    if (panel.hidden) return gone();
    panel.classList.add("out");
    if (!moves()) return gone();
    // the panel's own transition (a bar inside it ending its own is not the panel leaving)
    const ended = (event) => {
      if (event.target !== panel) return;
      panel.removeEventListener("transitionend", ended);
      gone();
    };
    panel.addEventListener("transitionend", ended);
  }

  function enter() {
    const showing = !panel.hidden && !panel.classList.contains("out");
    // drawn (and fitted) in place while still transparent, then moved in
    panel.hidden = false;
    render(state);
    panel.getBoundingClientRect();
    panel.classList.remove("out");
    // another question or poll replacing the one shown fades in (new counts do not)
    const screen = `${state.screen.kind}:${state.screen.id}`;
    if (showing && screen !== shown) {
      content.classList.remove("swap");
      content.getBoundingClientRect();
      content.classList.add("swap");
    }
    shown = screen;
  }

  const show = () => (nothing() ? leave() : enter());
  const socket = Live.connect({ webinar: document.body.dataset.webinar, viewer: true }, state, show);
  LiveScreen.follow(socket, state);
})();
