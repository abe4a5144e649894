// The page: live view, start/pause/stop, the sessions on the device and their downloads.
import { ControlError, FasciaDevice } from "./ble.js";
import { fileStem, parseSession, sessionRecord, toCsv, toFit } from "./session.js";

const $ = (id) => document.getElementById(id);
const SAVED_KEY = "fascia-saved"; // sessions saved from this browser: "device/id/size"
const SESSIONS_NOTE = "A session is marked as copied on the device only after you saved it here.";
let dev = null;
let last = null;

function say(text) { $("message").textContent = text || ""; }
function saved() { return new Set(JSON.parse(localStorage.getItem(SAVED_KEY) || "[]")); }
function markSaved(key) { const s = saved(); s.add(key); localStorage.setItem(SAVED_KEY, JSON.stringify([...s])); }
function clock(ms) { const s = Math.floor(ms / 1000); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; }

function showLive(lv) {
  last = lv;
  $("count").textContent = lv.count;
  $("activity").textContent = lv.activity.replace("_", " ");
  $("mode").textContent = lv.mode.replaceAll("_", " ");
  $("state").textContent = lv.summary ? "finished" : lv.rest ? "rest" : lv.state;
  $("elapsed").textContent = clock(lv.elapsed_ms);
  $("rate").textContent = `${lv.rate_per_min}/min`;
  $("left").textContent = lv.left === null ? "" : `· ${lv.left} left`;
  $("battery").hidden = false;
  $("battery").textContent = `battery ${lv.battery}%`;
  $("start").disabled = lv.state !== "ready";
  $("pause").disabled = lv.state === "ready";
  $("pause").textContent = lv.state === "paused" ? "Resume" : "Pause";
  $("stop").disabled = lv.state === "ready";
}

async function act(fn) {
  say("");
  try { await fn(); } catch (e) {
    say(e instanceof ControlError ? `The device said: ${e.message}.` : `${e.message || e}`);
  }
}

function download(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The open session (host_tools.sync's rule): newest, unsynced, no END, begun in this boot. */
function recording(s, parsed, clock) {
  return !s.synced && !parsed.end && s.id === clock.next_id - 1 && parsed.header && parsed.header.boot === clock.boot;
}

async function saveSession(s, format, row) {
  const progress = row.querySelector(".progress");
  const data = await dev.readSession(s.id, (got, size) => { progress.textContent = `${Math.round((100 * got) / size)}%`; });
  const parsed = parseSession(data);
  const clock = await dev.clockInfo();
  const record = sessionRecord(parsed, clock, "", s.id); // (the HEADER names the device)
  const stem = fileStem(record);
  if (format === "csv") download(`${stem}.csv`, toCsv([record]), "text/csv");
  else if (format === "fit") download(`${stem}.fit`, toFit(record), "application/vnd.ant.fit");
  else download(`${stem}.fss`, data, "application/octet-stream");
  if (recording(s, parsed, clock)) { // saved so far, but it goes on: not to be marked copied yet
    progress.textContent = "saved so far (still recording)";
    return;
  }
  markSaved(`${dev.serial}/${s.id}/${s.size}`);
  progress.textContent = "saved";
  row.querySelector(".ack").disabled = s.synced;
}

async function listSessions() {
  const body = $("sessions").querySelector("tbody");
  body.replaceChildren();
  const done = saved();
  for (const s of await dev.listSessions()) {
    const row = document.createElement("tr");
    row.dataset.id = s.id;
    row.innerHTML = `<td>${s.id}</td><td>${(s.size / 1024).toFixed(1)} KB</td>
      <td>${s.synced ? "copied" : "not copied"}</td>
      <td><button data-f="csv">CSV</button><button data-f="fit">FIT</button><button data-f="fss">raw</button>
      <span class="progress"></span></td>
      <td><button class="ack" title="Tell the device this session is safe here (it may then free its space)">Mark copied</button></td>`;
    const ack = row.querySelector(".ack");
    ack.disabled = s.synced || !done.has(`${dev.serial}/${s.id}/${s.size}`); // never before it was saved
    for (const b of row.querySelectorAll("button[data-f]")) {
      b.addEventListener("click", () => act(() => saveSession(s, b.dataset.f, row)));
    }
    ack.addEventListener("click", () => act(async () => {
      if (!saved().has(`${dev.serial}/${s.id}/${s.size}`)) throw new Error("save the session first");
      await dev.ackSynced(s.id);
      ack.disabled = true;
      row.children[2].textContent = "copied";
    }));
    body.append(row);
  }
  $("sessions-note").textContent = body.children.length ? SESSIONS_NOTE : "No sessions on the device.";
}

function connected(on) {
  $("connect-view").hidden = on;
  $("live-view").hidden = !on;
  $("sessions-view").hidden = !on;
  $("status").textContent = on ? `${dev.name} · ${dev.model} · ${dev.firmware}` : "not connected";
  if (!on) $("battery").hidden = true;
}

function init() {
  if (!navigator.bluetooth) {
    $("unsupported").hidden = false;
    $("connect").disabled = true;
    return;
  }
  $("connect").addEventListener("click", () => act(async () => {
    dev = await FasciaDevice.request();
    dev.onLive = showLive;
    dev.onDisconnect = () => { connected(false); say("The device disconnected: nothing was marked as copied that was not saved."); };
    connected(true);
    await listSessions();
  }));
  $("start").addEventListener("click", () => act(() => dev.start()));
  $("pause").addEventListener("click", () => act(() => (last && last.state === "paused" ? dev.resume() : dev.pause())));
  $("stop").addEventListener("click", () => act(() => dev.stop()));
  $("refresh").addEventListener("click", () => act(listSessions));
}

init();
if ("serviceWorker" in navigator && location.protocol.startsWith("http")) {
  navigator.serviceWorker.register("sw.js").catch(() => {});
}
