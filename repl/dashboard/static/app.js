// The dashboard: hash routes over the CLI's loopback proxy (/<token>/api/... is GET /v1/...).
// Every value from the API goes into the page as text (textContent), never as HTML.
"use strict";

const BASE = location.pathname.replace(/[^/]*$/, ""); // "/<token>/"
const RUN_POLL_MS = 2000;
const LIST_POLL_MS = 5000;
const view = document.getElementById("view");
let timer = null;
let generation = 0; // bumped on each route change: a late answer for the page left is dropped

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, method = "GET") {
  const response = await fetch(BASE + "api/" + path, { method, headers: { "X-Repl-Dashboard": "1" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, (body.error && body.error.message) || `HTTP ${response.status}`);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

const time = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const badge = (status) => el("span", { class: `badge ${status}` }, status);
const yesNo = (value) => (value ? "yes" : "no");
const runLink = (id) => el("a", { href: `#/runs/${encodeURIComponent(id)}` }, id);

function seconds(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function duration(run) {
  if (!run.started_at) return "—";
  const end = run.ended_at ? Date.parse(run.ended_at) : Date.now();
  return seconds(end - Date.parse(run.started_at));
}

function cost(run) {
  return typeof run.cost_usd === "number" ? `$${run.cost_usd.toFixed(run.cost_usd < 0.01 ? 4 : 2)}` : "—";
}

function table(headers, rows, attrs = {}) {
  if (!rows.length) return el("p", { ...attrs, class: "empty" }, "none");
  return el("table", attrs, el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))), el("tbody", {}, rows));
}

function showError(err) {
  const box = document.getElementById("error");
  box.hidden = !err;
  box.textContent = err ? `control plane: ${err.message}` : "";
  if (!err) document.getElementById("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

// Each page is a refresh(state) run now and again every `every` ms until the route changes.
function poll(refresh, every) {
  const mine = generation;
  const state = {};
  const tick = async () => {
    try {
      await refresh(state, () => mine === generation);
      if (mine === generation) showError(null);
    } catch (err) {
      if (mine === generation) showError(err);
    }
    if (mine === generation) timer = setTimeout(tick, every);
  };
  tick();
}

// Runs ------------------------------------------------------------------------------------------------
const FILTERS = ["status", "spec", "region"];
const filters = { status: "", spec: "", region: "" };

function filterBar(state) {
  state.selects = {};
  const bar = el("div", { class: "filters" });
  for (const name of FILTERS) {
    const select = el("select", { id: `filter-${name}`, onchange: () => { filters[name] = select.value; draw(state); } });
    state.selects[name] = select;
    bar.append(el("label", {}, `${name} `, select));
  }
  return bar;
}

function fillFilters(state) {
  for (const name of FILTERS) {
    const values = [...new Set(state.runs.map((r) => r[name]))].sort();
    const select = state.selects[name];
    const options = ["", ...values];
    if (select.options.length === options.length && [...select.options].every((o, i) => o.value === options[i])) continue;
    select.replaceChildren(...options.map((v) => el("option", { value: v }, v || "all")));
    select.value = values.includes(filters[name]) ? filters[name] : "";
  }
}

function draw(state) {
  const shown = state.runs.filter((r) => FILTERS.every((f) => !filters[f] || r[f] === filters[f]));
  const headers = ["run", "status", "spec / instance type", "region", "spot", "start", "started", "duration", "cost"];
  const rows = shown.map((r) => el("tr", { "data-run-id": r.run_id },
    el("td", {}, runLink(r.run_id)), el("td", { class: "status" }, badge(r.status)),
    el("td", {}, r.spec === r.instance_type ? r.spec : `${r.spec} / ${r.instance_type || "—"}`),
    el("td", {}, r.region), el("td", {}, yesNo(r.spot)),
    el("td", { class: "start" }, r.pool ? `warm (${r.pool})` : "cold"), // a pool's idle instance, or launched for it
    el("td", {}, time(r.started_at)), el("td", { class: "num" }, duration(r)), el("td", { class: "num cost" }, cost(r))));
  state.body.replaceChildren(table(headers, rows, { id: "runs" }));
}

function runsPage() {
  poll(async (state, current) => {
    const { runs } = await api("runs?limit=200");
    if (!current()) return;
    if (!state.body) {
      state.body = el("div");
      view.replaceChildren(el("h1", {}, "Runs"), filterBar(state), state.body);
    }
    state.runs = runs;
    fillFilters(state);
    draw(state);
  }, LIST_POLL_MS);
}

// A run -------------------------------------------------------------------------------------------------
function phases(run, instance) {
  const i = instance || {};
  return [["queued", run.created_at], ["launched", i.launched_at], ["booted", i.booted_at], ["registered", i.registered_at],
    ["started", run.started_at], ["exited", run.ended_at], ["terminated", run.terminated_at || i.terminated_at]];
}

const offset = (ms) => (ms < 60000 ? `${(Math.max(0, ms) / 1000).toFixed(1)} s` : seconds(ms)); // time to each phase

function phaseList(run, instance) {
  const created = Date.parse(run.created_at);
  return el("ol", { class: "phases", id: "phases" }, phases(run, instance).map(([name, at]) =>
    el("li", { class: at ? "done" : "", "data-phase": name }, el("b", {}, name),
      el("span", {}, at ? `${time(at)} (+${offset(Date.parse(at) - created)})` : "—"))));
}

function facts(run) {
  const rows = [["status", badge(run.status)], ["exit code", run.exit_code ?? "—"], ["reason", run.reason || "—"],
    ["command", run.command], ["spec", `${run.spec} (${run.instance_type || "—"}, ${run.arch || "—"})`],
    ["region", run.region], ["spot", yesNo(run.spot)], ["instance", run.instance_id || "—"],
    ["price", typeof run.price_usd_per_hour === "number" ? `$${run.price_usd_per_hour}/h` : "—"],
    ["cost", cost(run)], ["duration", duration(run)], ["deadline", time(run.deadline_at)]];
  const ids = { status: "status", "exit code": "exit-code", reason: "reason", cost: "cost" };
  return el("dl", { class: "facts" }, rows.map(([k, v]) => [el("dt", {}, k), el("dd", ids[k] ? { id: ids[k] } : {}, v)]));
}

function cancelButton(run) {
  if (run.ended_at) return "";
  const button = el("button", { id: "cancel", onclick: async () => {
    button.disabled = true;
    button.textContent = "cancelling…";
    try { await api(`runs/${encodeURIComponent(run.run_id)}/cancel`, "POST"); } catch (err) { showError(err); }
  } }, "Cancel run");
  return button;
}

function artifactList(artifacts) {
  const rows = artifacts.map((a) => el("tr", {}, el("td", {}, el("a", { href: a.url, download: a.path }, a.path)),
    el("td", { class: "num" }, `${a.size} B`), el("td", {}, time(a.modified_at))));
  return table(["path", "size", "modified"], rows, { id: "artifacts" });
}

async function readLogs(state, id) {
  for (let page = 0; page < 20; page++) { // `more`: the page was full; read on at once (at most 20 now)
    const answer = await api(`runs/${id}/logs?after=${state.after}`);
    for (const entry of answer.entries) {
      state.logs.append(el("span", { class: entry.stream }, entry.data));
    }
    state.after = answer.next;
    if (!answer.more) return;
  }
}

function runPage(runId) {
  const id = encodeURIComponent(runId);
  poll(async (state, current) => {
    if (!state.logs) {
      state.after = 0;
      state.logs = el("pre", { id: "logs" });
      state.head = el("div");
      state.artifacts = el("div");
      view.replaceChildren(el("h1", {}, "Run ", el("code", { id: "run-id" }, runId)), state.head,
        el("h2", {}, "Logs"), state.logs, el("h2", {}, "Artifacts"), state.artifacts);
    }
    const [{ run }, { instances }] = await Promise.all([api(`runs/${id}`), api("instances?all=true")]);
    const stick = state.logs.scrollTop + state.logs.clientHeight >= state.logs.scrollHeight - 4;
    await readLogs(state, id);
    const { artifacts } = await api(`runs/${id}/artifacts`);
    if (!current()) return;
    if (stick) state.logs.scrollTop = state.logs.scrollHeight;
    const instance = instances.find((i) => i.instance_id === run.instance_id);
    const keep = state.head.querySelector("#cancel[disabled]"); // a cancel sent: keep its button as it is
    state.head.replaceChildren(cancelButton(run), phaseList(run, instance), facts(run));
    if (keep && !run.ended_at) state.head.querySelector("#cancel").replaceWith(keep);
    state.artifacts.replaceChildren(artifactList(artifacts));
  }, RUN_POLL_MS);
}

// Instances and snapshots -------------------------------------------------------------------------------
function instancesPage() {
  poll(async (state, current) => {
    const { instances } = await api("instances?all=true");
    let orphans;
    try {
      orphans = table(["instance", "region", "state", "run", "deadline", "seen", "action"],
        (await api("admin/orphans")).orphans.map((o) => el("tr", {}, el("td", {}, o.instance_id),
          el("td", {}, o.region), el("td", {}, o.state), el("td", {}, o.run_id || "—"), el("td", {}, time(o.deadline_at)),
          el("td", {}, time(o.seen_at)), el("td", {}, o.action))), { id: "orphans" });
    } catch (err) {
      if (err.status !== 403) throw err;
      orphans = el("p", { class: "muted", id: "orphans" }, "administrators only");
    }
    if (!current()) return;
    const rows = instances.map((i) => el("tr", {}, el("td", {}, i.instance_id), el("td", {}, runLink(i.run_id)),
      el("td", {}, badge(i.state)), el("td", {}, i.instance_type), el("td", {}, i.region), el("td", {}, yesNo(i.spot)),
      el("td", {}, time(i.launched_at)), el("td", {}, time(i.terminated_at))));
    view.replaceChildren(el("h1", {}, "Instances"),
      table(["instance", "run", "state", "type", "region", "spot", "launched", "terminated"], rows, { id: "instances" }),
      el("h2", {}, "Orphans"), orphans);
  }, LIST_POLL_MS);
}

function snapshotsPage() {
  poll(async (state, current) => {
    const { snapshots } = await api("snapshots");
    if (!current()) return;
    const rows = snapshots.map((s) => el("tr", {}, el("td", {}, s.snapshot_id), el("td", {}, s.name),
      el("td", {}, badge(s.state)), el("td", {}, s.region), el("td", {}, s.arch), el("td", {}, runLink(s.source_run)),
      el("td", {}, time(s.created_at))));
    view.replaceChildren(el("h1", {}, "Snapshots"),
      table(["snapshot", "name", "state", "region", "arch", "source run", "created"], rows, { id: "snapshots" }));
  }, LIST_POLL_MS);
}

function poolsPage() {
  poll(async (state, current) => {
    const { pools } = await api("pools");
    if (!current()) return;
    const perHour = (usd) => (typeof usd === "number" ? `$${usd.toFixed(4)}/h` : "—");
    const rows = pools.map((p) => el("tr", { "data-pool": p.name }, el("td", {}, p.name), el("td", {}, badge(p.state)),
      el("td", {}, p.spec), el("td", {}, p.region), el("td", {}, yesNo(p.spot)), el("td", { class: "num" }, p.size),
      el("td", { class: "num" }, `${p.idle} / ${p.booting} / ${p.claimed}`),
      el("td", { class: "num idle-cost" }, perHour(p.idle_cost_usd_per_hour)), el("td", {}, time(p.used_at))));
    view.replaceChildren(el("h1", {}, "Pools"),
      table(["pool", "state", "spec", "region", "spot", "size", "idle / booting / claimed", "idle cost", "last used"],
        rows, { id: "pools" }));
  }, LIST_POLL_MS);
}

// Routing -----------------------------------------------------------------------------------------------
function route() {
  generation++;
  clearTimeout(timer);
  showError(null);
  const [page, id] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.nav === (page || "runs"));
  view.replaceChildren(el("p", { class: "muted" }, "loading…"));
  if (page === "runs" && id) runPage(id);
  else if (page === "instances") instancesPage();
  else if (page === "snapshots") snapshotsPage();
  else if (page === "pools") poolsPage();
  else runsPage();
}

window.addEventListener("hashchange", route);
route();
