// The floor on the reference Node socket.io server: one message per vote to the whole room,
// the same protocol subset as bench/baseline.py. Installed and run by the benchmark:
//   npm install --prefix bench/node && node bench/node/server.js 5200
"use strict";
const http = require("http");
const crypto = require("crypto");
const { Server } = require("socket.io");

const QUESTIONS = 10, POLL = 1, OPTIONS = 4;
const upvoters = new Map();
for (let q = 1; q <= QUESTIONS; q++) upvoters.set(q, new Set());
const ballots = new Map();

const question = (id) => ({ id, text: `Question ${id}`, name: null, status: "live",
  upvotes: upvoters.get(id).size, on_air: false, created_at: "" });
function poll() {
  const counts = new Array(OPTIONS).fill(0);
  for (const ballot of ballots.values()) for (const o of ballot) counts[o] += 1;
  return { id: POLL, prompt: "Which?", kind: "single", options: ["A", "B", "C", "D"],
           state: "open", results_visible: true,
           results: { counts, percentages: [], voters: ballots.size } };
}

const server = http.createServer((req, res) => {
  res.setHeader("Content-Type", "application/json");
  if (req.url.endsWith("/join")) {
    res.end(JSON.stringify({ participant: crypto.randomBytes(12).toString("base64url") }));
  } else {
    res.end('{"ok": true}');
  }
});
const io = new Server(server, { maxHttpBufferSize: 64 * 1024 });
io.on("connection", (socket) => {
  const participant = socket.handshake.auth.participant;
  socket.join("room");
  socket.emit("snapshot", { questions: [...upvoters.keys()].map(question), polls: [poll()] });
  socket.on("upvote", (data, ack) => {
    upvoters.get(data.question).add(participant);
    const current = question(data.question);
    io.to("room").emit("update", { questions: [current] });
    ack({ ok: true, question: { id: data.question, upvotes: current.upvotes }, up: true });
  });
  socket.on("vote", (data, ack) => {
    ballots.set(participant, data.options);
    io.to("room").emit("update", { polls: [poll()] });
    ack({ ok: true, poll: POLL, options: data.options });
  });
});
server.listen(Number(process.argv[2] || 5200), "127.0.0.1");
