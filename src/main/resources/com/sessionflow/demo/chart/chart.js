// The User Sessions chart of the demo, drawn as SVG from /api/metrics (the latest record of each
// bucket and platform of the session-metrics topic). No library: nothing to fetch at run time.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const params = new URLSearchParams(location.search);
let platform = params.get("platform") || "all";
let records = [];

const select = document.getElementById("platform");
select.addEventListener("change", () => {
  platform = select.value;
  render();
});

async function refresh() {
  try {
    const response = await fetch("api/metrics", { cache: "no-store" });
    records = await response.json();
    render();
  } catch (e) {
    document.getElementById("status").textContent = "cannot read the metrics: " + e;
  }
}

function render() {
  const platforms = [...new Set(records.map((r) => r.platform))].sort((a, b) =>
    a === "all" ? -1 : b === "all" ? 1 : a.localeCompare(b));
  if (!platforms.includes(platform)) platforms.push(platform);
  select.replaceChildren(...platforms.map((p) => new Option(p, p, false, p === platform)));

  const rows = records.filter((r) => r.platform === platform)
    .sort((a, b) => a.bucket_start - b.bucket_start);
  const labels = rows.map((r) => clock(r.bucket_start));
  bars(document.getElementById("sessions-chart"), labels, rows.map((r) => r.sessions), "bar",
    (v) => String(v));
  line(document.getElementById("length-chart"), labels,
    rows.map((r) => r.average_length_ms == null ? null : r.average_length_ms / 1000), seconds);

  bars(document.getElementById("per-user-chart"), labels,
    rows.map((r) => r.sessions_per_user == null ? 0 : r.sessions_per_user), "bar per-user",
    (v) => v.toFixed(2));

  const bins = new Map();
  for (const r of rows) {
    for (const b of r.length_distribution) {
      const bin = bins.get(b.from_ms) || { from: b.from_ms, to: b.to_ms, sessions: 0 };
      bin.sessions += b.sessions;
      bins.set(b.from_ms, bin);
    }
  }
  const distribution = [...bins.values()].sort((a, b) => a.from - b.from);
  const bars_ = bars(document.getElementById("distribution-chart"),
    distribution.map((b) => span(b.from) + "-" + span(b.to)),
    distribution.map((b) => b.sessions), "bar distribution", (v) => String(v));
  bars_.forEach((rect, i) => {
    rect.dataset.binFrom = distribution[i].from;
    rect.dataset.sessions = distribution[i].sessions;
  });

  const body = document.querySelector("#buckets tbody");
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.bucket = r.bucket_start;
    tr.dataset.platform = r.platform;
    const cells = [
      ["bucket", r.bucket_start, day(r.bucket_start) + " " + clock(r.bucket_start)],
      ["sessions", r.sessions, String(r.sessions)],
      ["length_sessions", r.length_sessions, String(r.length_sessions)],
      ["average_length_ms", r.average_length_ms, r.average_length_ms == null ? "-" :
        seconds(r.average_length_ms / 1000)],
      ["distinct_users", r.distinct_users, String(r.distinct_users)],
      ["sessions_per_user", r.sessions_per_user, r.sessions_per_user == null ? "-" :
        r.sessions_per_user.toFixed(2)],
      ["time_spent_per_user_ms", r.time_spent_per_user_ms, r.time_spent_per_user_ms == null ? "-" :
        seconds(r.time_spent_per_user_ms / 1000)],
      ["final", r.final, r.final ? "yes" : "no"],
    ];
    for (const [field, value, text] of cells) {
      const td = document.createElement("td");
      td.dataset.field = field;
      td.dataset.value = JSON.stringify(value);
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  document.getElementById("zone").textContent = zone();
  const status = document.getElementById("status");
  status.textContent = rows.length + " buckets of " + platform + ", " +
    rows.reduce((n, r) => n + r.sessions, 0) + " sessions; updated " +
    new Date().toISOString().substring(11, 19) + " UTC";
  document.body.dataset.records = records.length;
}

// a bar chart; returns the bars
function bars(svg, labels, values, cls, format) {
  const { width, height, plot } = frame(svg, values);
  const step = plot.width / Math.max(1, values.length);
  const max = niceMax(values);
  const rects = [];
  values.forEach((v, i) => {
    const h = (v / max) * plot.height;
    const rect = node("rect", { class: cls, x: plot.x + i * step + step * 0.1,
      y: plot.y + plot.height - h, width: Math.max(1, step * 0.8), height: h });
    rect.append(node("title", {}, labels[i] + ": " + format(v)));
    svg.append(rect);
    rects.push(rect);
  });
  axes(svg, plot, labels, step, max, format, width, height);
  return rects;
}

// a line chart of values that may be missing (null)
function line(svg, labels, values, format) {
  const { width, height, plot } = frame(svg, values);
  const step = plot.width / Math.max(1, values.length);
  const max = niceMax(values.filter((v) => v != null));
  let path = "";
  values.forEach((v, i) => {
    if (v == null) return;
    const x = plot.x + i * step + step / 2;
    const y = plot.y + plot.height - (v / max) * plot.height;
    path += (path ? " L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
    const dot = node("circle", { class: "dot", cx: x, cy: y, r: 2.5 });
    dot.append(node("title", {}, labels[i] + ": " + format(v)));
    svg.append(dot);
  });
  svg.prepend(node("path", { class: "line", d: path }));
  axes(svg, plot, labels, step, max, format, width, height);
}

function frame(svg, values) {
  svg.replaceChildren();
  const width = svg.clientWidth || 600;
  const height = svg.clientHeight || 220;
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  return { width, height, plot: { x: 48, y: 8, width: width - 56, height: height - 36 } };
}

function axes(svg, plot, labels, step, max, format, width, height) {
  svg.append(node("line", { class: "axis", x1: plot.x, y1: plot.y + plot.height,
    x2: plot.x + plot.width, y2: plot.y + plot.height }));
  for (const f of [0, 0.5, 1]) {
    const y = plot.y + plot.height - f * plot.height;
    svg.append(node("text", { x: plot.x - 6, y: y + 4, "text-anchor": "end" }, format(max * f)));
  }
  const every = Math.max(1, Math.ceil(labels.length / Math.floor(plot.width / 70)));
  labels.forEach((label, i) => {
    if (i % every) return;
    svg.append(node("text", { x: plot.x + i * step + step / 2, y: height - 8,
      "text-anchor": "middle" }, label));
  });
}

function niceMax(values) {
  const max = Math.max(0, ...values);
  if (max <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= max);
}

function node(name, attrs, text) {
  const n = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text != null) n.textContent = text;
  return n;
}

// the buckets' own time zone (--time-zone), as the records say
function zone() {
  const z = records[0] && records[0].time_zone;
  if (!z) return "UTC";
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: z });
    return z;
  } catch (e) {
    return "UTC";
  }
}

function clock(ms) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone(), hour: "2-digit", minute: "2-digit",
    hourCycle: "h23" }).format(new Date(ms));
}

function day(ms) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone(), year: "numeric", month: "2-digit",
    day: "2-digit" }).format(new Date(ms));
}

function seconds(s) {
  if (s < 60) return s.toFixed(1) + " s";
  const t = Math.round(s);
  if (t < 3600) return Math.floor(t / 60) + "m " + String(t % 60).padStart(2, "0") + "s";
  const m = Math.round(t / 60);
  return Math.floor(m / 60) + "h " + String(m % 60).padStart(2, "0") + "m";
}

function span(ms) {
  if (ms < 60000) return ms / 1000 + "s";
  if (ms < 3600000) return ms / 60000 + "m";
  if (ms < 86400000) return ms / 3600000 + "h";
  return ms / 86400000 + "d";
}

refresh();
setInterval(refresh, 2000);
