// The web client: login (with "remember this device"), the forced change of a one-time
// password, the conversation with the diary bot with buttons for the person's commands,
// direct conversations, boards and rooms with threads, unread counts shared by the
// account's devices, reconnection with what was missed (CHATHISTORY), and browser
// notifications.
//
// Everything shown is set with textContent: nothing a message holds is ever parsed as HTML.

import { Connection } from "./irc.js";
import { words } from "./i18n.js";

const BOT = "diary";
const STORE = "classbook.device";
const LANGUAGE = "classbook.language";
// The buttons, in this order, for those of the commands the server says this person may run.
const BUTTONS = [
  "marks", "homework", "schedule", "absences", "remarks", "tests", "ack", "consent", "teachers", "holidays",
  "journal", "lesson", "mark", "absent", "test", "final", "acks", "consents", "filling", "notes", "risk", "activity",
  "report", "credentials", "letters", "sessions",
];

const $ = (id) => document.getElementById(id);
const state = {
  language: localStorage.getItem(LANGUAGE) || "ru",
  nick: null,
  profile: null,
  commands: [],
  children: [],
  child: null,
  contacts: [],
  conversations: new Map(),
  active: BOT,
  seen: new Set(),
  remember: false,
  passwordLogin: false,
  awaitingPasswordChange: false,
  replyTo: null,
};

const socketURL = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/socket`;
const connection = new Connection(socketURL);
// For the browser tests and the curious: the live connection.
window.classbook = { connection, state };

function t(key) {
  return words[state.language][key] ?? words.ru[key] ?? key;
}

// MARK: Language

function applyLanguage() {
  document.documentElement.lang = state.language;
  document.title = t("title");
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  for (const element of document.querySelectorAll("[data-i18n-label]")) element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  $("lang-switch").lang = state.language === "ru" ? "en" : "ru";
  renderStatus();
  renderCommands();
  renderConversationList();
  renderTitle();
}

$("lang-switch").addEventListener("click", () => {
  state.language = state.language === "ru" ? "en" : "ru";
  localStorage.setItem(LANGUAGE, state.language);
  applyLanguage();
  // The bot answers in the account's language: the switch changes that too.
  if (connection.online && state.profile) connection.send("PRIVMSG", [BOT, `/lang ${state.language}`]);
});

// MARK: Views

function show(view) {
  for (const id of ["login-view", "password-view", "chat-view"]) $(id).hidden = id !== view;
  $("logout").hidden = view === "login-view";
}

function renderStatus() {
  const status = $("status");
  const value = status.dataset.value || "";
  status.textContent = value ? t(value) : "";
  status.className = value;
  const offline = value !== "online";
  $("message").disabled = offline;
  $("send").disabled = offline;
  $("offline-hint").hidden = !offline || $("chat-view").hidden;
  for (const button of document.querySelectorAll("#commands button, .ack")) button.disabled = offline;
}

connection.addEventListener("status", (event) => {
  $("status").dataset.value = event.detail === "stopped" ? "" : event.detail;
  renderStatus();
});

window.addEventListener("online", () => connection.retryNow());

// MARK: Login

function savedDevice() {
  try {
    return JSON.parse(localStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  const login = $("login").value.trim().toLowerCase();
  const password = $("password").value;
  if (!login || !password) return;
  state.remember = $("remember").checked;
  state.passwordLogin = true;
  connection.start({ login, secret: password });
});

connection.addEventListener("loginfailed", (event) => {
  const device = savedDevice();
  if (!event.detail.refused) {
    // Not the credentials: a limit or a lockout, which the server words itself.
    $("login-error").textContent = event.detail.text;
  } else if (!state.passwordLogin && device) {
    localStorage.removeItem(STORE);
    $("login").value = device.login;
    $("login-error").textContent = t("tokenRefused");
  } else {
    $("login-error").textContent = t("loginRefused");
  }
  $("password").value = "";
  show("login-view");
  $("password").focus();
});

connection.addEventListener("registered", (event) => {
  state.nick = event.detail;
  connection.send("CLASSBOOK", ["PROFILE"]);
  connection.send("LIST");
  fetchConversations();
});

// MARK: History

const DAY = 24 * 60 * 60 * 1000;

/** What this device missed: on the first connection the recent conversations (with whom, from
 *  CHATHISTORY TARGETS, and what the bot sent), after a reconnection what came in each since
 *  the last message it has. Boards and rooms are fetched when they are joined. */
function fetchConversations() {
  if (!connection.caps.has("draft/chathistory")) return;
  if (!state.historyLoaded) {
    state.historyLoaded = true;
    const now = Date.now();
    connection.send("CHATHISTORY", ["TARGETS", `timestamp=${new Date(now - 60 * DAY).toISOString()}`,
      `timestamp=${new Date(now + DAY).toISOString()}`, "50"]);
    requestHistory(BOT);
    return;
  }
  for (const entry of state.conversations.values()) {
    if (entry.kind !== "channel") requestHistory(entry.target);
  }
}

function requestHistory(target) {
  const entry = state.conversations.get(target.toLowerCase());
  const last = entry?.messages.at(-1);
  if (last) connection.send("CHATHISTORY", ["AFTER", target, `timestamp=${last.time}`, "100"]);
  else connection.send("CHATHISTORY", ["LATEST", target, "*", "50"]);
  // How far the account has read it, on any device: the unread count.
  if (connection.caps.has("draft/read-marker")) connection.send("MARKREAD", [target]);
}

$("logout").addEventListener("click", () => {
  const device = savedDevice();
  if (device && connection.online) connection.send("CLASSBOOK", ["FORGET", device.token]);
  localStorage.removeItem(STORE);
  connection.stop();
  state.profile = null;
  state.conversations.clear();
  state.seen.clear();
  state.historyLoaded = false;
  $("log").replaceChildren();
  $("password").value = "";
  show("login-view");
});

// MARK: The one-time password

$("password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const first = $("new-password").value;
  const second = $("repeat-password").value;
  $("password-error").textContent = "";
  if (first.length < 8) {
    $("password-error").textContent = t("tooShort");
    return;
  }
  if (first !== second) {
    $("password-error").textContent = t("mismatch");
    return;
  }
  state.awaitingPasswordChange = true;
  state.newPassword = first;
  connection.send("PRIVMSG", [BOT, `/passwd ${first}`]);
});

// MARK: Profile

let gathering = null;

function handleClassbook(message) {
  const [kind, ...rest] = message.params;
  switch (kind) {
    case "PROFILE":
      gathering = { login: rest[0], roles: rest[1].split(","), language: rest[2], mustChange: rest[3] === "1", name: rest[4],
                    children: [], contacts: [], commands: new Map() };
      break;
    case "CHILD":
      gathering?.children.push({ className: rest[0], name: rest[1] });
      break;
    case "CONTACT":
      gathering?.contacts.push({ login: rest[0], text: rest[1] });
      break;
    case "COMMAND":
      gathering?.commands.set(rest[0], { name: rest[0], args: rest[1], summary: rest[2] });
      break;
    case "USAGE":
      if (gathering?.commands.has(rest[0])) gathering.commands.get(rest[0]).usage = rest[1];
      break;
    case "FORM":
      // The first form's example, shown under the input with the usage.
      if (gathering?.commands.has(rest[0]) && rest[1] === "1") gathering.commands.get(rest[0]).example = rest[2];
      break;
    case "PART":
      // A command about one child (its table says so): the children switch adds the chosen child's name.
      if (gathering?.commands.has(rest[0]) && rest[2] === "child") gathering.commands.get(rest[0]).aboutChild = true;
      break;
    case "END":
      if (gathering) profileArrived(gathering);
      gathering = null;
      break;
    case "TOKEN":
      localStorage.setItem(STORE, JSON.stringify({ login: state.profile.login, token: rest[0] }));
      // Reconnections log in with the token from now on.
      connection.credentials = { login: state.profile.login, secret: rest[0] };
      break;
  }
}

function profileArrived(profile) {
  state.profile = profile;
  state.children = profile.children;
  if (!state.children.some((c) => c.name === state.child)) state.child = state.children[0]?.name ?? null;
  state.contacts = profile.contacts;
  state.commands = [...profile.commands.values()];
  if (profile.language !== state.language && !localStorage.getItem(LANGUAGE)) {
    state.language = profile.language;
  }
  if (profile.mustChange) {
    show("password-view");
    applyLanguage();
    $("new-password").focus();
    return;
  }
  if (state.awaitingPasswordChange && state.newPassword) {
    // The one-time password is spent: a reconnection logs in with the new one.
    connection.credentials = { login: profile.login, secret: state.newPassword };
  }
  state.awaitingPasswordChange = false;
  state.newPassword = null;
  // "Remember this device": a token, asked for once the password is the person's own.
  if (state.passwordLogin && state.remember && !savedDevice()) {
    connection.send("CLASSBOOK", ["TOKEN", deviceName()]);
  }
  const wasHidden = $("chat-view").hidden;
  show("chat-view");
  conversation(BOT, "bot");
  applyLanguage();
  renderChildren();
  renderContacts();
  if (wasHidden) selectConversation(state.active);
  if ("Notification" in window && Notification.permission === "default") $("notifications").hidden = false;
}

function deviceName() {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent) ? "Firefox" : /Edg\//.test(agent) ? "Edge" : /Chrom/.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : "Browser";
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Windows/.test(agent) ? "Windows" : /Mac OS/.test(agent) ? "macOS" : /Linux/.test(agent) ? "Linux" : "";
  return `web ${browser}${system ? " " + system : ""}`;
}

// MARK: Conversations

function conversation(target, kind) {
  const key = target.toLowerCase();
  let entry = state.conversations.get(key);
  if (!entry) {
    entry = { target, kind, messages: [], unread: 0, readUntil: null, lastMsgid: null, joined: false, title: null };
    state.conversations.set(key, entry);
    renderConversationList();
  }
  return entry;
}

function conversationTitle(entry) {
  if (entry.kind === "bot") return t("bot");
  if (entry.kind === "dm") {
    const contact = state.contacts.find((c) => c.login === entry.target.toLowerCase());
    return contact ? contact.text.split(" — ")[0] : entry.target;
  }
  return entry.target;
}

function renderConversationList() {
  const list = $("conversation-list");
  if (!list) return;
  const items = [];
  const order = [...state.conversations.values()].sort((a, b) =>
    (a.kind === "bot" ? 0 : a.kind === "channel" ? 1 : 2) - (b.kind === "bot" ? 0 : b.kind === "channel" ? 1 : 2)
    || a.target.localeCompare(b.target));
  for (const entry of order) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "conversation";
    button.dataset.target = entry.target;
    if (entry.target.toLowerCase() === state.active.toLowerCase()) button.setAttribute("aria-current", "true");
    const name = document.createElement("span");
    name.textContent = conversationTitle(entry);
    button.append(name);
    if (entry.unread > 0) {
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = String(entry.unread);
      badge.setAttribute("aria-label", `${entry.unread} ${t("unread")}`);
      button.append(badge);
    }
    button.addEventListener("click", () => selectConversation(entry.target));
    item.append(button);
    items.push(item);
  }
  list.replaceChildren(...items);
}

function renderContacts() {
  const select = $("new-dm-login");
  const options = [];
  for (const contact of state.contacts) {
    const option = document.createElement("option");
    option.value = contact.login;
    option.textContent = contact.text;
    options.push(option);
  }
  $("contacts").replaceChildren(...options);
  select.setAttribute("list", "contacts");
}

$("new-dm").addEventListener("submit", (event) => {
  event.preventDefault();
  const login = $("new-dm-login").value.trim().toLowerCase();
  if (!login || login.startsWith("#")) return;
  conversation(login, login === BOT ? "bot" : "dm");
  $("new-dm-login").value = "";
  selectConversation(login);
  $("message").focus();
});

function renderTitle() {
  const entry = state.conversations.get(state.active.toLowerCase());
  $("conversation-title").textContent = entry ? conversationTitle(entry) : "";
}

function selectConversation(target) {
  state.active = target;
  const entry = conversation(target, target === BOT ? "bot" : target.startsWith("#") ? "channel" : "dm");
  setReplyTo(null);
  renderTitle();
  const isBot = entry.kind === "bot";
  $("commands").hidden = !isBot;
  $("children").hidden = !isBot || state.children.length < 2;
  const log = $("log");
  log.replaceChildren(...entry.messages.map(renderMessage));
  log.scrollTop = log.scrollHeight;
  markRead(entry);
  renderConversationList();
}

function markRead(entry) {
  entry.unread = 0;
  const last = entry.messages.at(-1);
  if (last && last.time && connection.caps.has("draft/read-marker") && (!entry.readUntil || last.time > entry.readUntil)) {
    entry.readUntil = last.time;
    connection.send("MARKREAD", [entry.target, `timestamp=${last.time}`]);
  }
}

// MARK: Messages

function targetOf(message) {
  const target = message.params[0];
  if (target.startsWith("#")) return { target, kind: "channel" };
  const own = state.nick && message.nick && message.nick.toLowerCase() === state.nick.toLowerCase();
  const other = own ? target : message.nick;
  return { target: other, kind: other.toLowerCase() === BOT ? "bot" : "dm" };
}

function receiveText(message) {
  const text = message.params[1] ?? "";
  if (text.startsWith("\u0001")) return;
  const id = message.tags.msgid;
  if (id) {
    if (state.seen.has(id)) return;
    state.seen.add(id);
  }
  const { target, kind } = targetOf(message);
  const entry = conversation(target, kind);
  const own = state.nick && message.nick?.toLowerCase() === state.nick.toLowerCase();
  const item = {
    id, own, text, author: message.nick, time: message.tags.time || new Date().toISOString(),
    replyTo: message.tags["+draft/reply"] || null, notice: message.command === "NOTICE",
  };
  entry.messages.push(item);
  if (message.history) {
    // History comes after what arrived live: kept in time order.
    entry.messages.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }
  if (kind === "channel" && id) entry.lastMsgid = entry.messages.at(-1).id ?? id;
  if (entry.messages.length > 500) entry.messages.splice(0, entry.messages.length - 500);
  const visible = state.active.toLowerCase() === target.toLowerCase() && !$("chat-view").hidden;
  if (visible) {
    const log = $("log");
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    if (message.history) log.replaceChildren(...entry.messages.map(renderMessage));
    else log.append(renderMessage(item));
    if (atBottom || own) log.scrollTop = log.scrollHeight;
    if (!document.hidden) markRead(entry);
  }
  if (!own && (!visible || document.hidden) && (!entry.readUntil || item.time > entry.readUntil)) {
    entry.unread += 1;
    renderConversationList();
    if (!message.history) notify(entry, item);
  }
  if (kind === "bot" && !own && state.awaitingPasswordChange) {
    // The bot answered the new password: the profile says whether it was taken.
    $("password-error").textContent = text;
    connection.send("CLASSBOOK", ["PROFILE"]);
  }
}

function notify(entry, item) {
  if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
  const notification = new Notification(`${t("notificationTitle")}: ${conversationTitle(entry)}`, { body: item.text, tag: entry.target });
  notification.addEventListener("click", () => {
    window.focus();
    selectConversation(entry.target);
  });
}

$("notifications").addEventListener("click", async () => {
  await Notification.requestPermission();
  $("notifications").hidden = Notification.permission !== "default";
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    const entry = state.conversations.get(state.active.toLowerCase());
    if (entry) markRead(entry);
    renderConversationList();
  }
});

/** The child a notification or a diary reply is about, when it names one of the person's. */
function childNamed(text) {
  return state.children.find((c) => text.startsWith(`${c.name}:`) || text.includes(`(${c.name},`) || text.includes(`${c.name} (${c.className})`));
}

function renderMessage(item) {
  const li = document.createElement("li");
  li.className = item.own ? "message own" : "message";
  if (item.id) li.dataset.msgid = item.id;
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = new Date(item.time);
  const stamp = document.createElement("time");
  stamp.dateTime = item.time;
  stamp.textContent = time.toLocaleString(state.language === "ru" ? "ru-RU" : "en-GB",
    { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = item.own ? t("you") : item.author === BOT ? t("bot") : item.author;
  meta.append(author, " ", stamp);
  li.append(meta);
  const entry = state.conversations.get(state.active.toLowerCase());
  if (item.replyTo && entry) {
    const parent = entry.messages.find((m) => m.id === item.replyTo);
    const quote = document.createElement("span");
    quote.className = "quote";
    quote.textContent = `↳ ${t("inReplyTo")} ${parent ? `${parent.author}: ${parent.text.slice(0, 60)}` : "…"}`;
    li.append(quote);
    li.classList.add("in-thread");
  }
  const body = document.createElement("p");
  body.className = "text";
  body.textContent = item.text;
  li.append(body);
  // A diary entry about one of the person's children asks for acknowledgement.
  if (!item.own && item.author === BOT && state.commands.some((c) => c.name === "ack")) {
    const child = childNamed(item.text);
    if (child) {
      const ack = document.createElement("button");
      ack.type = "button";
      ack.className = "ack";
      ack.textContent = words.ru.acknowledge;
      ack.lang = "ru";
      ack.setAttribute("aria-label", `${t("acknowledge")}: ${child.name}`);
      ack.disabled = !connection.online;
      ack.addEventListener("click", () => sendText(BOT, `/ack ${child.name}`));
      li.append(ack);
    }
  }
  if (entry?.kind === "channel" && item.id) {
    const reply = document.createElement("button");
    reply.type = "button";
    reply.className = "reply";
    reply.textContent = t("reply");
    reply.addEventListener("click", () => setReplyTo(item));
    li.append(reply);
  }
  return li;
}

function setReplyTo(item) {
  state.replyTo = item;
  $("reply-to").hidden = !item;
  $("reply-to-text").textContent = item ? `${item.author}: ${item.text.slice(0, 80)}` : "";
  if (item) $("message").focus();
}

$("cancel-reply").addEventListener("click", () => setReplyTo(null));

function sendText(target, text) {
  if (!connection.online || !text) return;
  const tags = state.replyTo?.id && target.startsWith("#") ? { "+draft/reply": state.replyTo.id } : {};
  connection.send("PRIVMSG", [target, text], tags);
  if (!connection.caps.has("echo-message")) {
    receiveText({ command: "PRIVMSG", nick: state.nick, params: [target, text], tags: { time: new Date().toISOString() } });
  }
  setReplyTo(null);
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("message");
  const text = input.value.trim();
  if (!text) return;
  sendText(state.active, text);
  input.value = "";
  $("usage-hint").hidden = true;
});

// MARK: The bot's buttons and the children switch

function renderCommands() {
  const bar = $("commands");
  if (!bar) return;
  const available = new Map(state.commands.map((c) => [c.name, c]));
  const buttons = [];
  for (const name of BUTTONS) {
    const command = available.get(name);
    if (!command) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = words[state.language].buttons[name] ?? name;
    button.title = command.summary;
    button.dataset.command = name;
    button.disabled = !connection.online;
    button.addEventListener("click", () => runCommand(command));
    buttons.push(button);
  }
  if (available.has("help")) {
    const help = document.createElement("button");
    help.type = "button";
    help.textContent = t("help");
    help.dataset.command = "help";
    help.addEventListener("click", () => sendText(BOT, "/help"));
    buttons.push(help);
  }
  bar.replaceChildren(...buttons);
}

function runCommand(command) {
  if (command.args === "required") {
    // A command that needs arguments goes to the input, with its form as the hint.
    const input = $("message");
    input.value = `/${command.name} `;
    $("usage-hint").textContent = (command.usage || "") + (command.example ? ` — ${t("example")}: ${command.example}` : "");
    $("usage-hint").hidden = !command.usage;
    input.focus();
    return;
  }
  const child = command.aboutChild && state.children.length > 1 && state.child ? ` ${state.child}` : "";
  sendText(BOT, `/${command.name}${child}`);
}

function renderChildren() {
  const group = $("children");
  const items = [];
  const legend = document.createElement("span");
  legend.className = "legend";
  legend.textContent = t("child");
  items.push(legend);
  state.children.forEach((child, index) => {
    const label = document.createElement("label");
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "child";
    radio.value = child.name;
    radio.id = `child-${index}`;
    radio.checked = child.name === state.child;
    radio.addEventListener("change", () => {
      state.child = child.name;
    });
    label.append(radio, ` ${child.name} (${child.className})`);
    items.push(label);
  });
  group.replaceChildren(...items);
  group.hidden = state.children.length < 2 || state.active !== BOT;
}

// MARK: Channels and history

function handleMessage(message) {
  switch (message.command) {
    case "PRIVMSG":
    case "NOTICE":
      if (message.nick && message.nick.includes(".") && !message.params[0].startsWith("#") && message.command === "NOTICE") {
        // The server's own notices (the device limit and the like) go to the bot's conversation.
        receiveText({ ...message, nick: BOT, params: [state.nick, message.params[1]] });
        return;
      }
      receiveText(message);
      return;
    case "CLASSBOOK":
      handleClassbook(message);
      return;
    case "CHATHISTORY":
      // TARGETS: someone this account wrote with lately; the bot's was asked for already.
      if (message.params[0] === "TARGETS" && message.params[1].toLowerCase() !== BOT) {
        conversation(message.params[1], "dm");
        requestHistory(message.params[1]);
      }
      return;
    case "322": // LIST: a board or room of this person's
      conversation(message.params[1], "channel");
      return;
    case "323": {
      const channels = [...state.conversations.values()].filter((c) => c.kind === "channel").map((c) => c.target);
      if (channels.length > 0) connection.send("JOIN", [channels.join(",")]);
      return;
    }
    case "JOIN": {
      const channel = message.params[0];
      if (message.nick?.toLowerCase() !== state.nick?.toLowerCase()) return;
      const entry = conversation(channel, "channel");
      entry.joined = true;
      // What was said while this device was away, or the latest posts the first time.
      if (connection.caps.has("draft/chathistory")) {
        if (entry.lastMsgid) connection.send("CHATHISTORY", ["AFTER", channel, `msgid=${entry.lastMsgid}`, "100"]);
        else connection.send("CHATHISTORY", ["LATEST", channel, "*", "50"]);
      }
      return;
    }
    case "INVITE":
      conversation(message.params[1], "channel");
      return;
    case "MARKREAD": {
      // Another device of the account (or this one) read up to here.
      const [target, value] = message.params;
      const entry = state.conversations.get(target.toLowerCase());
      if (!entry || !value?.startsWith("timestamp=")) return;
      const until = value.slice(10);
      if (!entry.readUntil || until > entry.readUntil) entry.readUntil = until;
      entry.unread = entry.messages.filter((m) => !m.own && m.time > entry.readUntil).length;
      renderConversationList();
      return;
    }
    case "332":
      conversation(message.params[1], "channel").title = message.params[2];
      return;
    case "ERROR":
      return;
    case "FAIL":
      if (message.params[0] === "CLASSBOOK") console.warn(message.params.join(" "));
      return;
  }
}

connection.addEventListener("message", (event) => handleMessage(event.detail));

// MARK: Start

applyLanguage();
const device = savedDevice();
if (device?.login && device?.token) {
  state.passwordLogin = false;
  show("chat-view");
  connection.start({ login: device.login, secret: device.token });
} else {
  show("login-view");
}
