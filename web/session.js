// A session file (fascia.spec.log) -> the record `fascia export` writes, as CSV and as FIT.
// The layouts and names come from spec.js (generated from fascia.spec, host_tools.export and the
// FIT table of host_tools.fit); tests/test_web_browser.py checks that this reads and writes what the Python does.
import { SPEC } from "./spec.js";
import { concat, pack, unpack } from "./struct.js";

const LOG = SPEC.log;

let CRC_TABLE = null;
export function crc32(bytes, crc = 0) {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  crc = ~crc >>> 0;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

function extrasAt(p, at) {
  const out = {};
  const n = p[at++];
  for (let k = 0; k < n; k++) {
    let name;
    if (p[at] === LOG.named_extra) {
      const len = p[at + 1];
      name = new TextDecoder().decode(p.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    } else {
      name = LOG.extras[p[at]] ?? `extra_${p[at]}`;
      at += 1;
    }
    out[name] = unpack("<i", p, at)[0];
    at += 4;
  }
  return out;
}

function header(p) {
  const [version, act, modeCode, flags, sessionId, start, boot, weight, load] = unpack(LOG.header_fixed, p);
  let at = 22;
  const k = p[at];
  const dev = [...p.subarray(at + 1, at + 1 + k)].map((b) => b.toString(16).padStart(2, "0")).join("");
  at += 1 + k;
  const mode = LOG.modes[modeCode - 1];
  const names = LOG.mode_params[mode] || [];
  const params = {};
  names.forEach((name, i) => { params[name] = unpack("<I", p, at + 1 + 4 * i)[0]; });
  const activity = Object.keys(LOG.activity_codes).find((a) => LOG.activity_codes[a] === act);
  return {
    version, activity, mode, params, clock_synced: Boolean(flags & LOG.flag_clock_synced), session_id: sessionId,
    start, boot, user_weight_g: weight, load_g: load, device_id: dev,
  };
}

/** The records of a session file: [{type, fields}] with damaged regions skipped (as logread does). */
export function parseSession(data) {
  const T = LOG.types;
  let head = null, end = null;
  const progress = [], events = [], errors = [];
  let i = 0;
  while (i + 9 <= data.length) {
    if (data[i] !== LOG.magic[0] || data[i + 1] !== LOG.magic[1]) { i++; continue; }
    const [type, n] = unpack("<BH", data, i + 2);
    if (n > LOG.max_payload || i + 9 + n > data.length) { i++; continue; }
    const crc = unpack("<I", data, i + 5 + n)[0];
    if (crc32(data.subarray(i + 2, i + 5 + n)) !== crc) { errors.push(`offset ${i}: CRC`); i++; continue; }
    const p = data.subarray(i + 5, i + 5 + n);
    if (end) errors.push(`offset ${i}: record after END ignored`);
    else if (type === T.header && !head) head = header(p);
    else if (type === T.progress) {
      const [elapsed_ms, count] = unpack("<II", p);
      progress.push({ elapsed_ms, count, extras: extrasAt(p, 8) });
    } else if (type === T.events) {
      let [t, m] = unpack("<IH", p);
      events.push(t);
      for (let k = 1; k < m; k++) { t += unpack("<H", p, 4 + 2 * k)[0]; events.push(t); }
    } else if (type === T.end) {
      const [duration_ms, count, kcal_x10, reason] = unpack("<IIHB", p);
      end = { duration_ms, count, kcal_x10, reason: LOG.end_reasons[reason] ?? `reason_${reason}`, extras: extrasAt(p, 11) };
    }
    i += 9 + n;
  }
  const last = end || progress[progress.length - 1] || null;
  let status = "complete";
  if (!data.length) status = "empty file (power lost before the HEADER was written?)";
  else if (!head) status = "no HEADER record: not a session log or its start is damaged";
  else if (!end) status = "incomplete (no END record: power lost?)";
  return {
    header: head, progress, events_ms: events, end, errors, status,
    count: last ? last.count : 0,
    duration_ms: last ? (end ? end.duration_ms : last.elapsed_ms) : 0,
  };
}

/** The session as `fascia export` sees it once stored (host_tools.store), dated with CLOCK_INFO. */
export function sessionRecord(parsed, clock, deviceId = "", sessionId = 0) {
  const h = parsed.header || {};
  let start = null;
  if (parsed.header) {
    if (h.clock_synced) start = h.start;
    else if (clock && h.boot === clock.boot && h.start <= clock.uptime_s) start = clock.epoch - (clock.uptime_s - h.start);
  }
  const last = parsed.progress[parsed.progress.length - 1] || {};
  const end = parsed.end || {};
  return {
    device_id: h.device_id || deviceId || "unknown",
    session_id: h.session_id ?? sessionId,
    activity: h.activity, mode: h.mode, start_utc: start,
    duration_ms: parsed.duration_ms, count: parsed.count,
    kcal: (end.kcal_x10 || 0) / 10, end_reason: end.reason ?? null, status: parsed.status,
    extras: (end.extras && Object.keys(end.extras).length ? end.extras : last.extras) || {},
    events_ms: parsed.events_ms,
    progress: parsed.progress.map((p) => [p.elapsed_ms, p.count]),
  };
}

// ------------------------------------------------------------------ CSV (host_tools.export.write_csv)
function pyFloat(x) { // Python's str(float)
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
function round(x, digits) { return Number(x.toFixed(digits)); }
function csvCell(v) {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(records) {
  const extraNames = [...new Set(records.flatMap((r) => Object.keys(r.extras || {})))].sort();
  const fields = [...SPEC.export.csv_fields, ...extraNames.map((n) => SPEC.export.extra_prefix + n)];
  const lines = [fields.join(",")];
  for (const r of records) {
    const start = r.start_utc;
    const row = {
      device_id: r.device_id, session_id: r.session_id, activity: r.activity, mode: r.mode ?? "",
      start_utc: start ?? "",
      start_iso: start === null ? "" : new Date(start * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00"),
      duration_s: pyFloat(round((r.duration_ms || 0) / 1000, 3)), count: r.count || 0,
      kcal: pyFloat(round(r.kcal || 0, 1)), end_reason: r.end_reason ?? "", status: r.status ?? "",
    };
    for (const [k, v] of Object.entries(r.extras || {})) row[SPEC.export.extra_prefix + k] = v;
    lines.push(fields.map((f) => csvCell(row[f])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

// ------------------------------------------------------------------ FIT (host_tools.export.write_fit_file)
export function countSeries(r) {
  const duration = r.duration_ms || 0, count = r.count || 0;
  let series = [[0, 0]];
  if (r.progress.length) series = series.concat(r.progress);
  else if (r.events_ms.length) series = series.concat([...r.events_ms].sort((a, b) => a - b).map((t, i) => [t, i + 1]));
  const [lt, lc] = series[series.length - 1];
  if (lt < duration || lc !== count) series.push([Math.max(duration, lt), count]);
  return series;
}

function crc16(bytes) {
  const table = [0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401,
    0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01, 0x8801, 0x4400];
  let crc = 0;
  for (const b of bytes) {
    let tmp = table[crc & 0xf]; crc = (crc >> 4) & 0x0fff; crc = crc ^ tmp ^ table[b & 0xf];
    tmp = table[crc & 0xf]; crc = (crc >> 4) & 0x0fff; crc = crc ^ tmp ^ table[(b >> 4) & 0xf];
  }
  return crc;
}

const FIT = SPEC.fit;
function pyRound(x) { // Python's round(): halves go to the even neighbour
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
const INVALID = { 1: 0xff, 2: 0xffff, 4: 0xffffffff };
const TYPE_FMT = { 1: "<B", 2: "<H", 4: "<I" };

class FitWriter {
  constructor() { this.parts = []; this.local = new Map(); }
  add(name, values) {
    const msg = FIT.messages[name];
    const names = Object.keys(msg.fields).filter((f) => values[f] !== undefined && values[f] !== null);
    const key = `${name}:${names.join(",")}`;
    if (!this.local.has(key)) {
      const id = this.local.size;
      if (id > 15) throw new Error("too many FIT definitions");
      this.local.set(key, id);
      const defs = names.map((f) => { const [num, base, size] = msg.fields[f]; return pack("<BBB", num, size, base); });
      this.parts.push(pack("<BBBHB", 0x40 | id, 0, 0, msg.num, names.length), ...defs);
    }
    const body = names.map((f) => {
      const [, , size, scale, offset] = msg.fields[f];
      const raw = pyRound((values[f] + offset) * scale); // as host_tools.fit.rows encodes
      return pack(TYPE_FMT[size], Math.min(Math.max(raw, 0), INVALID[size] - 1));
    });
    this.parts.push(pack("<B", this.local.get(key)), ...body);
  }
  bytes() {
    const data = concat(...this.parts);
    const head = pack("<BBHIBBBB", 14, FIT.protocol_version, FIT.profile_version, data.length, 46, 70, 73, 84); // ".FIT"
    const header = concat(head, pack("<H", crc16(head)));
    const body = concat(header, data);
    return concat(body, pack("<H", crc16(body)));
  }
}

/** One session as a FIT activity, the messages and fields of `fascia export --format fit`. */
export function toFit(r) {
  if (r.start_utc === null || r.start_utc === undefined) throw new Error("session start time unknown");
  const V = FIT.values;
  const [sport, subSport] = FIT.sport[r.activity];
  const cycles = (c) => (r.activity === "walk" ? Math.floor(c / 2) : c);
  // dates go in as ms since the Unix epoch (the table's scale 0.001, offset -FIT epoch in ms)
  const startMs = r.start_utc * 1000, endMs = startMs + (r.duration_ms || 0), seconds = (r.duration_ms || 0) / 1000;
  const total = cycles(r.count || 0), kcal = pyRound(r.kcal || 0); // (round() as the Python: 2.5 -> 2)
  const w = new FitWriter();
  w.add("file_id", {
    type: V.file_activity, manufacturer: V.manufacturer_development, product: 0,
    serial_number: Number(BigInt.asUintN(32, BigInt(`0x${r.device_id || "0"}`))), time_created: startMs,
  });
  w.add("event", { timestamp: startMs, event: V.event_timer, event_type: V.event_type_start });
  let prevT = 0, prevC = 0;
  for (const [t, c] of countSeries(r)) {
    const rec = { timestamp: startMs + t, total_cycles: cycles(c) };
    if (t > prevT) rec.cadence = Math.min(254, pyRound(((cycles(c) - cycles(prevC)) * 60000) / (t - prevT)));
    w.add("record", rec);
    prevT = t; prevC = c;
  }
  w.add("event", { timestamp: endMs, event: V.event_timer, event_type: V.event_type_stop_all });
  const totals = {
    timestamp: endMs, start_time: startMs, total_elapsed_time: seconds, total_timer_time: seconds, sport,
    sub_sport: subSport, total_cycles: total, total_calories: kcal, event_type: V.event_type_stop,
    jump_count: r.activity === "jump_rope" ? total : undefined,
  };
  w.add("lap", { ...totals, event: V.event_lap, lap_trigger: V.lap_trigger_session_end });
  w.add("session", { ...totals, first_lap_index: 0, num_laps: 1, event: V.event_session });
  const offsetS = -new Date(endMs).getTimezoneOffset() * 60;
  w.add("activity", {
    timestamp: endMs, total_timer_time: seconds, num_sessions: 1, type: V.activity_manual, event: V.event_activity,
    event_type: V.event_type_stop, local_timestamp: Math.floor(endMs / 1000) - FIT.epoch_s + offsetS,
  });
  return w.bytes();
}

export function fileStem(r) {
  return `fascia-${r.device_id}-${String(r.session_id).padStart(5, "0")}-${r.activity}`;
}
