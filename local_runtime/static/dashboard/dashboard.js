// servey-local's dashboard: polls /_servey/state each second and renders what it answers.
// Every value is set as text, never as HTML: parameters and log lines come from callers.
"use strict";

const POLL_MS = 1000;
const KEPT = 200; // as many rows as the server keeps invocations
let last = 0; // the number of the newest invocation shown

function el(tag, properties = {}, ...children) {
  const element = Object.assign(document.createElement(tag), properties);
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(child);
  }
  return element;
}

function json(value) {
  return value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
}

function replaceRows(id, rows, empty, columns) {
  const body = document.getElementById(id);
  body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colSpan: columns, className: "empty", textContent: empty }))]));
}

function invocationRow(item) {
  const lines = el("pre", { className: "lines" });
  for (const line of item.lines) {
    lines.append(el("span", { className: line.level, textContent: `${line.level} ${line.logger}: ${line.message}\n` }));
  }
  const error = item.error && el("details", {},
    el("summary", { textContent: `${item.error.type}: ${item.error.message}` }),
    el("pre", { textContent: item.error.traceback }));
  const time = new Date(item.started_at * 1000).toLocaleTimeString([], { hour12: false });
  return el("tr", { className: "invocation", title: `request ${item.request_id}, function ${item.function}` },
    el("td", { className: "mono", textContent: time }),
    el("td", {}, el("span", { className: "source", textContent: item.source }), el("br"), el("code", { textContent: item.detail })),
    el("td", {}, el("code", { textContent: item.action || "" })),
    el("td", {}, el("pre", { textContent: json(item.params) }), item.lines.length ? lines : null, error),
    el("td", { textContent: item.caller || "" }),
    el("td", { className: item.ok ? "ok" : "failed", textContent: item.status }),
    el("td", { className: "mono", textContent: item.duration_ms.toFixed(1) }));
}

function showInvocations(items) {
  const body = document.getElementById("invocations");
  if (!items.length) return;
  if (!last) body.replaceChildren();
  for (const item of items) {
    if (item.seq <= last) continue; // a poll that overlapped another has it already
    body.prepend(invocationRow(item)); // newest first; rows already shown keep their open details
    last = item.seq;
  }
  while (body.rows.length > KEPT) body.deleteRow(-1);
}

async function post(url, button) {
  button.disabled = true;
  try {
    const answer = await (await fetch(url, { method: "POST" })).json();
    button.title = JSON.stringify(answer);
  } finally {
    button.disabled = false;
  }
  poll(false);
}

function showQueues(queues) {
  replaceRows("queues", queues.map((queue) => {
    const letters = el("div", {});
    for (const letter of (queue.dead_letters || []).slice(0, 5)) {
      letters.append(el("pre", { className: "lines", textContent: `${letter.messageId}: ${letter.body}` }));
    }
    const redrive = queue.redrive && queue.dead_letter_depth
      ? el("button", { textContent: "redrive", onclick: (event) => post(`/_servey/queues/${encodeURIComponent(queue.name)}/redrive`, event.target) })
      : null;
    if (redrive) redrive.dataset.redrive = queue.name;
    return el("tr", {},
      el("td", {}, el("code", { textContent: queue.name }), el("br"), el("span", { className: "empty", textContent: queue.action || "" })),
      el("td", { textContent: queue.depth }),
      el("td", { textContent: queue.in_flight }),
      el("td", { textContent: queue.delayed ?? "" }),
      el("td", { className: queue.dead_letter_depth ? "failed" : "", textContent: queue.dead_letter_depth ?? "" }, letters),
      el("td", {}, redrive));
  }), "no queues", 6);
}

function showSchedules(schedules) {
  replaceRows("schedules", schedules.map((schedule) => {
    const fire = el("button", { textContent: "fire now", onclick: (event) => post(`/_servey/schedules/${encodeURIComponent(schedule.name)}`, event.target) });
    fire.dataset.fire = schedule.name;
    const next = schedule.next ? new Date(schedule.next).toLocaleString([], { hour12: false }) : "";
    return el("tr", {},
      el("td", {}, el("code", { textContent: schedule.name }), el("br"), el("span", { className: "empty", textContent: `${schedule.expression} ${schedule.timezone || ""}` })),
      el("td", {}, el("code", { textContent: schedule.action })),
      el("td", { textContent: next }),
      el("td", {}, fire));
  }), "no schedules", 4);
}

function showConnections(connections) {
  replaceRows("connections", connections.map((connection) => el("tr", {},
    el("td", {}, el("code", { textContent: connection.id })),
    el("td", { textContent: connection.caller || "" }),
    el("td", { textContent: (connection.subscriptions || []).join(", ") }))), "no open connections", 3);
}

async function showHeld(href) {
  const shown = document.getElementById("resource");
  const answer = await (await fetch(href, { cache: "no-store" })).json();
  shown.textContent = JSON.stringify(answer.items || answer.objects || answer, null, 1);
  shown.hidden = false;
}

function showResources(resources) {
  replaceRows("resources", resources.map((resource) => {
    const show = el("button", { type: "button", textContent: resource.kind === "table" ? "items" : "keys" });
    show.addEventListener("click", () => showHeld(resource.href));
    return el("tr", {},
      el("td", { textContent: resource.kind }),
      el("td", {}, el("a", { href: resource.href, textContent: resource.name })),
      el("td", {}, show));
  }), "no declared tables or buckets", 3);
}

let timer = null;

async function poll(again = true) {
  const live = document.getElementById("live");
  try {
    const response = await fetch(`/_servey/state?since=${last}`, { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status}`);
    const state = await response.json();
    if (state.latest < last) { // servey-local restarted: its numbers start again
      last = 0;
      document.getElementById("invocations").replaceChildren();
      return poll(again);
    }
    showInvocations(state.invocations);
    showQueues(state.queues);
    showSchedules(state.schedules);
    showConnections(state.connections);
    showResources(state.resources);
    live.className = "";
    live.textContent = `live, ${new Date().toLocaleTimeString([], { hour12: false })}`;
  } catch (error) {
    live.className = "stale";
    live.textContent = `servey-local does not answer (${error.message}); retrying`;
  }
  if (again) {
    clearTimeout(timer);
    timer = setTimeout(poll, POLL_MS);
  }
}

poll();
