// Python's `struct` for the little-endian formats of fascia.spec ("<BBHI..."): the page reads every
// layout from spec.js rather than spelling offsets out again.
const CODES = { B: [1, "Uint8"], b: [1, "Int8"], H: [2, "Uint16"], h: [2, "Int16"], I: [4, "Uint32"], i: [4, "Int32"] };

function fields(fmt) {
  if (fmt[0] !== "<") throw new Error(`only little-endian formats: ${fmt}`);
  const out = [];
  for (const m of fmt.slice(1).matchAll(/(\d*)([BbHhIix])/g)) {
    for (let k = 0; k < (m[1] ? Number(m[1]) : 1); k++) out.push(m[2]);
  }
  return out;
}

export function calcsize(fmt) {
  return fields(fmt).reduce((n, c) => n + (c === "x" ? 1 : CODES[c][0]), 0);
}

export function unpack(fmt, bytes, offset = 0) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (offset + calcsize(fmt) > bytes.byteLength) throw new RangeError(`${fmt}: ${bytes.byteLength - offset} bytes`);
  const values = [];
  for (const c of fields(fmt)) {
    if (c === "x") { offset += 1; continue; }
    const [size, type] = CODES[c];
    values.push(view[`get${type}`](offset, true));
    offset += size;
  }
  return values;
}

export function pack(fmt, ...values) {
  const out = new Uint8Array(calcsize(fmt));
  const view = new DataView(out.buffer);
  let offset = 0;
  let i = 0;
  for (const c of fields(fmt)) {
    if (c === "x") { offset += 1; continue; }
    const [size, type] = CODES[c];
    view[`set${type}`](offset, values[i++], true);
    offset += size;
  }
  if (i !== values.length) throw new Error(`${fmt} takes ${i} values, got ${values.length}`);
  return out;
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
