// IRC over WebSocket (IRCv3): parsing, registration with SASL PLAIN, and a connection that
// comes back by itself with backoff after it drops. No UI here: app.js listens to the events.

const WANTED_CAPS = [
  "sasl", "message-tags", "server-time", "echo-message", "batch", "draft/chathistory",
  "draft/read-marker", "standard-replies", "account-tag",
];

/** Parses one IRC line into { tags, source, nick, command, params }. */
export function parse(line) {
  let rest = line;
  const tags = {};
  if (rest.startsWith("@")) {
    const end = rest.indexOf(" ");
    for (const part of rest.slice(1, end).split(";")) {
      const eq = part.indexOf("=");
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? "" : part.slice(eq + 1).replace(/\\(.)/g, (_, c) =>
        ({ ":": ";", s: " ", r: "\r", n: "\n", "\\": "\\" })[c] ?? c);
      tags[key] = value;
    }
    rest = rest.slice(end + 1).replace(/^ +/, "");
  }
  let source = null;
  if (rest.startsWith(":")) {
    const end = rest.indexOf(" ");
    source = rest.slice(1, end);
    rest = rest.slice(end + 1).replace(/^ +/, "");
  }
  const params = [];
  while (rest.length > 0) {
    if (rest.startsWith(":")) {
      params.push(rest.slice(1));
      break;
    }
    const end = rest.indexOf(" ");
    if (end < 0) {
      params.push(rest);
      break;
    }
    params.push(rest.slice(0, end));
    rest = rest.slice(end + 1).replace(/^ +/, "");
  }
  const command = (params.shift() || "").toUpperCase();
  const nick = source ? source.split("!")[0] : null;
  return { tags, source, nick, command, params };
}

function escapeTag(value) {
  return value.replace(/[\\; \r\n]/g, (c) => ({ "\\": "\\\\", ";": "\\:", " ": "\\s", "\r": "\\r", "\n": "\\n" })[c]);
}

/** One IRC line (without CR LF); the last parameter is sent as trailing. */
export function serialize(command, params = [], tags = {}) {
  let line = "";
  const tagText = Object.entries(tags).map(([k, v]) => (v === "" ? k : `${k}=${escapeTag(v)}`)).join(";");
  if (tagText) line += `@${tagText} `;
  line += command;
  params.forEach((param, index) => {
    const last = index === params.length - 1;
    line += last && (param === "" || param.includes(" ") || param.startsWith(":")) ? ` :${param}` : ` ${param}`;
  });
  return line;
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A connection to the server that logs in with SASL PLAIN (a password or a device token)
 * and reconnects by itself with backoff (1 s doubling to 30 s, jittered) once it has logged in.
 *
 * Events (CustomEvent detail):
 *   "message"  — a parsed line ({ ..., history: true } inside a chathistory batch)
 *   "status"   — "connecting" | "online" | "offline" | "stopped"
 *   "registered" — the nick the server gave
 *   "loginfailed" — { refused, text }: the server refused the credentials (904, refused: true)
 *                   or closed before registration (ERROR: a limit, a locked address)
 */
export class Connection extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.socket = null;
    this.credentials = null;
    this.caps = new Set();
    this.registered = false;
    this.everRegistered = false;
    this.stopped = true;
    this.retryDelay = 1000;
    this.retryTimer = null;
    this.batches = new Map();
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Starts (or restarts) with these credentials: { login, secret }. */
  start(credentials) {
    this.credentials = credentials;
    this.stopped = false;
    this.everRegistered = false;
    this.retryDelay = 1000;
    this.open();
  }

  /** Closes for good (logout): no reconnection. */
  stop(reason = "Logged out") {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.send("QUIT", [reason]);
    if (this.socket) this.socket.close();
    this.socket = null;
    this.emit("status", "stopped");
  }

  /** Drops the socket now, as a lost network would (tests and the "offline" event). */
  drop() {
    if (this.socket) this.socket.close();
  }

  open() {
    clearTimeout(this.retryTimer);
    this.loginRefused = false;
    this.registered = false;
    this.caps = new Set();
    this.batches.clear();
    this.emit("status", "connecting");
    let socket;
    try {
      socket = new WebSocket(this.url, ["text.ircv3.net"]);
    } catch (error) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.raw("CAP LS 302");
      // The server gives a logged-in connection its account's nick, whatever this asks for.
      this.raw(`NICK web${Math.floor(Math.random() * 100000)}`);
      this.raw(serialize("USER", ["web", "0", "*", navigator.userAgent.includes("Mobile") ? "Classbook web (phone)" : "Classbook web"]));
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") this.receive(event.data);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const wasRegistered = this.registered;
      this.registered = false;
      if (this.stopped) return;
      if (!this.everRegistered && !wasRegistered && this.loginRefused) {
        this.stopped = true;
        return;
      }
      this.emit("status", "offline");
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    if (this.stopped) return;
    // Jittered (½ to 1½ of the step): after a server restart the families' phones do not all
    // come back in the same instant.
    const delay = this.retryDelay * (0.5 + Math.random());
    this.retryDelay = Math.min(this.retryDelay * 2, 30000);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** Tries at once (the browser says it is online again). */
  retryNow() {
    if (!this.stopped && !this.socket) {
      this.retryDelay = 1000;
      this.open();
    }
  }

  raw(line) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(line);
  }

  send(command, params = [], tags = {}) {
    this.raw(serialize(command, params, this.caps.has("message-tags") ? tags : {}));
  }

  get online() {
    return this.registered;
  }

  receive(line) {
    const message = parse(line);
    switch (message.command) {
      case "PING":
        this.send("PONG", message.params);
        return;
      case "CAP":
        this.handleCap(message);
        return;
      case "AUTHENTICATE":
        if (message.params[0] === "+") {
          const { login, secret } = this.credentials;
          const payload = base64(`${login}\0${login}\0${secret}`);
          for (let i = 0; i < payload.length; i += 400) this.raw(`AUTHENTICATE ${payload.slice(i, i + 400)}`);
          if (payload.length % 400 === 0) this.raw("AUTHENTICATE +");
        }
        return;
      case "903":
        this.raw("CAP END");
        return;
      case "904":
      case "905":
        if (this.loginRefused) return;
        this.loginRefused = true;
        this.emit("loginfailed", { refused: true, text: message.params[message.params.length - 1] });
        this.stopped = true;
        this.raw("QUIT");
        return;
      case "001":
        this.registered = true;
        this.everRegistered = true;
        this.loginRefused = false;
        this.retryDelay = 1000;
        this.emit("status", "online");
        this.emit("registered", message.params[0]);
        return;
      case "ERROR":
        if (!this.everRegistered && !this.loginRefused) {
          this.loginRefused = true;
          this.stopped = true;
          this.emit("loginfailed", { refused: false, text: message.params[0] });
        } else {
          this.emit("message", message);
        }
        return;
      case "BATCH": {
        const reference = message.params[0];
        if (reference.startsWith("+")) this.batches.set(reference.slice(1), message.params[1]);
        else this.batches.delete(reference.slice(1));
        return;
      }
      default:
        if (message.tags.batch && this.batches.get(message.tags.batch) === "chathistory") message.history = true;
        this.emit("message", message);
    }
  }

  handleCap(message) {
    const sub = (message.params[1] || "").toUpperCase();
    if (sub === "LS") {
      const more = message.params[2] === "*";
      const list = message.params[message.params.length - 1].split(" ").map((c) => c.split("=")[0]);
      this.offered = (this.offered || []).concat(list);
      if (more) return;
      const want = WANTED_CAPS.filter((c) => this.offered.includes(c));
      this.offered = [];
      this.raw(`CAP REQ :${want.join(" ")}`);
    } else if (sub === "ACK") {
      for (const cap of message.params[message.params.length - 1].split(" ")) this.caps.add(cap);
      if (this.caps.has("sasl")) this.raw("AUTHENTICATE PLAIN");
      else this.raw("CAP END");
    } else if (sub === "NAK") {
      this.raw("CAP END");
    }
  }
}
