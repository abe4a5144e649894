// The fascia GATT profile (docs/ble.md) over Web Bluetooth: what host_tools/ble does with bleak.
import { crc32 } from "./session.js";
import { SPEC } from "./spec.js";
import { calcsize, concat, pack, unpack } from "./struct.js";

const G = SPEC.gatt;
const C = SPEC.control;
const OP = C.opcodes;
const bytesOf = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
const sig = (n) => `0000${n.toString(16).padStart(4, "0")}-0000-1000-8000-00805f9b34fb`;

export class ControlError extends Error {
  constructor(opcode, result) {
    super(C.result_names[result] || `result ${result}`);
    this.opcode = opcode;
    this.result = result;
  }
}

/** One LIVE value, decoded (host_tools.ble.Live). */
export function decodeLive(bytes) {
  const [act, state, mode, flags, count, elapsed, rate, figure, left, battery, round] = unpack(G.live_fmt, bytes);
  const activity = Object.keys(SPEC.log.activity_codes).find((a) => SPEC.log.activity_codes[a] === act) || String(act);
  return {
    activity, state: G.states[state] || String(state), mode: SPEC.log.modes[mode - 1] || String(mode),
    rest: Boolean(flags & G.flag_rest), summary: Boolean(flags & G.flag_summary), count, elapsed_ms: elapsed,
    rate_per_min: rate, figure, left: left === G.none_left ? null : left, battery, round,
  };
}

export class FasciaDevice {
  /** Ask the browser for a fascia device (a user gesture must lead here) and connect to it. */
  static async request(bluetooth = navigator.bluetooth) {
    const device = await bluetooth.requestDevice({
      filters: [{ services: [G.service] }],
      optionalServices: [sig(G.battery_service), sig(G.device_info_service), sig(G.current_time_service)],
    });
    const dev = new FasciaDevice(device);
    await dev.connect();
    return dev;
  }

  constructor(device) {
    this.device = device;
    this.name = device.name || "fascia";
    this.onLive = () => {};
    this.onDisconnect = () => {};
    this._answers = [];
    this._waiting = null;
    this._chain = Promise.resolve();
    device.addEventListener("gattserverdisconnected", () => {
      if (this._waiting) this._waiting.reject(new Error("the device disconnected"));
      this._waiting = null;
      this.onDisconnect();
    });
  }

  get connected() { return Boolean(this.device.gatt && this.device.gatt.connected); }

  async connect() {
    const server = await this.device.gatt.connect();
    const svc = await server.getPrimaryService(G.service);
    this.live = await svc.getCharacteristic(G.live);
    this.control = await svc.getCharacteristic(G.control);
    this.log = await svc.getCharacteristic(G.log);
    this.control.addEventListener("characteristicvaluechanged", (e) => this._answer(bytesOf(e.target.value)));
    await this.control.startNotifications();
    this.live.addEventListener("characteristicvaluechanged", (e) => this.onLive(decodeLive(bytesOf(e.target.value))));
    await this.live.startNotifications();
    const info = await server.getPrimaryService(sig(G.device_info_service));
    const text = async (uuid) => new TextDecoder().decode(await (await info.getCharacteristic(sig(uuid))).readValue());
    this.model = await text(G.model);
    this.firmware = await text(G.firmware_rev);
    // Chrome blocks reading Serial Number Strings (its GATT blocklist): the browser's id stands in
    this.serial = await text(G.serial).catch(() => this.device.id);
    await this.setTimeNow().catch(() => {}); // (a device without the service still works)
    this.onLive(await this.readLive());
  }

  disconnect() { if (this.connected) this.device.gatt.disconnect(); }

  async readLive() { return decodeLive(bytesOf(await this.exclusive(() => this.live.readValue()))); }

  async setTimeNow() {
    const t = new Date();
    const svc = await this.device.gatt.getPrimaryService(sig(G.current_time_service));
    const ch = await svc.getCharacteristic(sig(G.current_time));
    const weekday = ((t.getUTCDay() + 6) % 7) + 1;
    await ch.writeValueWithResponse(pack(G.current_time_fmt, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(),
      t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), weekday, 0, 1));
  }

  _answer(bytes) {
    if (this._waiting) { const w = this._waiting; this._waiting = null; w.resolve(bytes); }
  }

  /** Run `fn` alone: Chrome allows one GATT operation at a time, and a request that loads the
   *  log characteristic must not be overtaken by another before its window is read. */
  exclusive(fn) {
    const next = this._chain.then(fn, fn);
    this._chain = next.catch(() => {});
    return next;
  }

  /** One control-point request and its indication: the response parameters (ControlError otherwise). */
  request(opcode, ...args) { return this.exclusive(() => this._request(opcode, ...args)); }

  async _request(opcode, ...args) {
    const payload = concat(pack("<B", opcode), pack(C.request_fmt[opcode] || "<", ...args));
    const answer = new Promise((resolve, reject) => {
      this._waiting = { resolve, reject };
      setTimeout(() => reject(new Error("the device did not answer")), 5000);
    });
    await this.control.writeValueWithResponse(payload);
    const bytes = await answer;
    const [code, op, result] = unpack(C.response_head, bytes);
    if (code !== C.response_code || op !== opcode) throw new Error("unexpected control-point answer");
    if (result !== C.success) throw new ControlError(opcode, result);
    return bytes.subarray(3);
  }

  /** A request that loads the log characteristic, and that window. */
  requestWindow(opcode, ...args) {
    return this.exclusive(async () => [await this._request(opcode, ...args), bytesOf(await this.log.readValue())]);
  }

  start() { return this.request(OP.START); }
  pause() { return this.request(OP.PAUSE); }
  resume() { return this.request(OP.RESUME); }
  stop() { return this.request(OP.STOP); }

  async clockInfo() {
    const [boot, uptime_s, epoch, next_id] = unpack(C.response_fmt[OP.CLOCK_INFO], await this.request(OP.CLOCK_INFO));
    return { boot, uptime_s, epoch, next_id };
  }

  async listSessions() {
    const out = [];
    const entry = calcsize(C.list_entry_fmt);
    let first = 0;
    for (;;) {
      const [params, window] = await this.requestWindow(OP.LIST_SESSIONS, first);
      const [n] = unpack(C.response_fmt[OP.LIST_SESSIONS], params);
      if (!n) return out;
      for (let i = 0; i < n; i++) {
        const [id, size, flags] = unpack(C.list_entry_fmt, window, i * entry);
        out.push({ id, size, synced: Boolean(flags & C.list_synced) });
      }
      first = out[out.length - 1].id + 1;
      if (n < C.list_max) return out;
    }
  }

  async sessionInfo(id) {
    const [size, crc, synced] = unpack(C.response_fmt[OP.SESSION_INFO], await this.request(OP.SESSION_INFO, id));
    return { size, crc, synced: Boolean(synced) };
  }

  /** A session file's bytes, checked against the device's CRC-32. */
  async readSession(id, progress = () => {}) {
    const { size, crc } = await this.sessionInfo(id);
    const parts = [];
    let got = 0;
    while (got < size) {
      const [params, chunk] = await this.requestWindow(OP.READ_LOG, id, got, Math.min(G.log_window, size - got));
      const [offset, n] = unpack(C.response_fmt[OP.READ_LOG], params);
      if (offset !== got) throw new Error(`session ${id}: asked for offset ${got}, got ${offset}`);
      if (!n) break;
      if (chunk.length !== n) throw new Error(`session ${id}: read ${chunk.length} bytes of a ${n}-byte window`);
      parts.push(chunk);
      got += n;
      progress(got, size);
    }
    const data = concat(...parts);
    if (crc32(data) !== crc) throw new Error(`session ${id}: CRC mismatch after transfer`);
    return data;
  }

  ackSynced(id) { return this.request(OP.ACK_SYNCED, id); }
}
