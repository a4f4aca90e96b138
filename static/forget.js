/* "Forget me" on the attendee page: ask for confirmation, send `forget` on a connection of its
   own (the page's may be elsewhere), and say what was removed. The page then reloads with a new
   identity when the person chooses to go on. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const open = $("forget-me");
  if (!open) return;
  const confirm = $("forget-confirm");
  const result = $("forget-result");

  function toggle(show) {
    confirm.hidden = !show;
    open.setAttribute("aria-expanded", String(show));
    (show ? $("forget-question") : open).focus();
  }

  function say(text, ok) {
    result.textContent = text;
    result.className = ok ? "message ok" : "message error";
    result.focus();
  }

  function forget() {
    const yes = $("forget-yes");
    yes.disabled = true;
    // the ack's sentence in the page's language (issue 15)
    const auth = { webinar: document.body.dataset.webinar, participant: document.body.dataset.participant,
                   lang: document.documentElement.lang || "en" };
    const socket = io({ auth, forceNew: true, reconnection: false, transports: ["websocket", "polling"] });
    const fail = (message) => {
      socket.disconnect();
      yes.disabled = false;
      say(LiveI18n.gettext("Nothing was removed: %(reason)s", { reason: message }), false);
    };
    socket.on("connect_error", (err) => fail(err.message || LiveI18n.gettext("the server could not be reached.")));
    // admitted once the snapshot arrives: only then may the event be sent
    socket.once("snapshot", () => {
      socket.timeout(10000).emit("forget", {}, (err, ack) => {
        if (err || !ack) return fail(LiveI18n.gettext("no answer from the server. Try again."));
        if (!ack.ok) return fail(ack.message);
        socket.disconnect();
        confirm.hidden = true;
        open.hidden = true;
        open.setAttribute("aria-expanded", "false");
        $("forget-done").hidden = false;
        say(ack.message, true);
      });
    });
  }

  open.addEventListener("click", () => toggle(confirm.hidden));
  $("forget-cancel").addEventListener("click", () => toggle(false));
  $("forget-yes").addEventListener("click", forget);
  $("forget-reload").addEventListener("click", () => window.location.reload());
})();
