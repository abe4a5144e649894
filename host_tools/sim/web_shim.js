// navigator.bluetooth for tests: each GATT operation goes as JSON over a WebSocket to
// host_tools/sim/web_gatt.py, which performs it on the simulated device. Set window.FASCIA_GATT_WS
// (the WebSocket URL) before the page's scripts run.
(() => {
  const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const unhex = (text) => new Uint8Array((text.match(/../g) || []).map((h) => parseInt(h, 16)));
  const toBytes = (v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const BLOCKED_READS = ["00002a25-0000-1000-8000-00805f9b34fb"]; // Chrome's GATT blocklist: Serial Number String
  let ws = null, seq = 0;
  const pending = new Map(), chars = new Map();
  let device = null;

  function open() {
    if (ws && ws.readyState <= 1) return Promise.resolve();
    ws = new WebSocket(window.FASCIA_GATT_WS);
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.ev === "value") {
        const ch = chars.get(msg.uuid);
        if (ch) { ch.value = new DataView(unhex(msg.value).buffer); ch.dispatchEvent(new Event("characteristicvaluechanged")); }
      } else if (msg.ev === "disconnected") {
        if (device && device.gatt.connected) { device.gatt.connected = false; device.dispatchEvent(new Event("gattserverdisconnected")); }
      } else if (pending.has(msg.id)) {
        const { resolve, reject } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new DOMException(msg.error, "NetworkError")); else resolve(msg.value === undefined ? null : unhex(msg.value));
      }
    };
    return new Promise((resolve) => { ws.onopen = resolve; });
  }

  async function call(op, uuid, value) {
    await open();
    const id = ++seq;
    const msg = { id, op, uuid, value: value === undefined ? undefined : hex(value) };
    return new Promise((resolve, reject) => { pending.set(id, { resolve, reject }); ws.send(JSON.stringify(msg)); });
  }

  class Characteristic extends EventTarget {
    constructor(uuid) { super(); this.uuid = uuid; this.value = null; chars.set(uuid, this); }
    async readValue() {
      if (BLOCKED_READS.includes(this.uuid)) throw new DOMException("blocklisted UUID", "SecurityError"); // as Chrome
      const b = await call("read", this.uuid);
      this.value = new DataView(b.buffer);
      return this.value;
    }
    async writeValueWithResponse(v) { await call("write", this.uuid, toBytes(v)); }
    async writeValue(v) { await this.writeValueWithResponse(v); }
    async startNotifications() { await call("notify", this.uuid); return this; }
  }
  class Service {
    constructor(uuid) { this.uuid = uuid; }
    async getCharacteristic(uuid) { return chars.get(uuid.toLowerCase()) || new Characteristic(uuid.toLowerCase()); }
  }
  class Device extends EventTarget {
    constructor(name) {
      super();
      this.name = name;
      this.id = "simulated";
      const dev = this;
      this.gatt = {
        connected: false,
        device: dev,
        async connect() { await call("connect"); this.connected = true; return this; },
        disconnect() { this.connected = false; call("disconnect"); dev.dispatchEvent(new Event("gattserverdisconnected")); },
        async getPrimaryService(uuid) {
          if (!this.connected) throw new DOMException("GATT Server is disconnected", "NetworkError");
          return new Service(String(uuid).toLowerCase());
        },
      };
    }
  }
  Object.defineProperty(navigator, "bluetooth", {
    configurable: true,
    value: {
      async getAvailability() { return true; },
      async requestDevice(options) {
        if (!options || !options.filters) throw new TypeError("requestDevice needs filters");
        await open();
        device = new Device("fascia");
        return device;
      },
    },
  });
})();
