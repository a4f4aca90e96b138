/* The projector: shows exactly what the webinar's screen state says (screen.js), nothing else.
   Nothing here changes the room: the only button makes the page full screen. */
"use strict";

(() => {
  const state = Live.createState();
  const show = LiveScreen.mount(document.querySelector(".screen"));
  const socket = Live.connect({ webinar: document.body.dataset.webinar, viewer: true }, state, () => show(state));
  LiveScreen.follow(socket, state);

  const fullscreen = document.getElementById("fullscreen");
  const toggleFullscreen = () => (document.fullscreenElement
    ? document.exitFullscreen() : document.documentElement.requestFullscreen()).catch(() => {});
  fullscreen.addEventListener("click", toggleFullscreen);
  document.addEventListener("keydown", (event) => { if (event.key === "f") toggleFullscreen(); });
  document.addEventListener("fullscreenchange", () => { fullscreen.hidden = Boolean(document.fullscreenElement); });
})();
