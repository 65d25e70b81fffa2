import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
const b = readFileSync('bench/out/photo4096_adaptive.png');
// collect IDAT
const parts = []; let p = 8;
while (p < b.length) { const n = b.readUInt32BE(p); const t = b.toString('latin1', p+4, p+8); if (t === 'IDAT') parts.push(b.subarray(p+8, p+8+n)); p += 12 + n; }
const idat = Buffer.concat(parts);
console.log('idat MB', (idat.length/1e6).toFixed(1), 'chunks', parts.length);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); const out = zlib.inflateSync(idat); console.log('inflateSync', (performance.now()-t).toFixed(0), out.length);
  for (const cs of [16384, 131072, 1 << 20]) {
    t = performance.now();
    await new Promise((res) => { const s = zlib.createInflate({ chunkSize: cs }); let n = 0; s.on('data', d => n += d.length); s.on('end', res); for (const q of parts) s.write(q); s.end(); });
    console.log('stream', cs, (performance.now()-t).toFixed(0));
  }
}
