// Frames over loopback TCP: 1920x1080 RGBA (8,294,400 bytes a frame). The sender runs in a
// worker thread (its own core), the receiver in this thread. Per round, N frames:
//   raw socket   the sender writes the same bytes with write()/'drain'; the receiver only
//                counts the bytes of each 'data' chunk (no header, no copy: the ceiling)
//   imarray      FrameWriter.write(img) awaited per frame; FrameReader yields each frame as a
//                loaded Image in pooled memory (header parse + one copy into the array)
// Reported: frames/s (median of rounds) and imarray / raw. Target (issue #5): >= 90% of raw.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { FrameReader } from '../dist/index.js';
import { table, report } from './lib.mjs';

const W = 1920, H = 1080, BYTES = W * H * 4;

const SENDER = `
import net from 'node:net';
import { workerData, parentPort } from 'node:worker_threads';
import { FrameWriter, frombuffer } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
const { port, kind, frames, w, h } = workerData;
const pixels = new Uint8Array(w * h * 4);
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
const sock = net.connect(port, '127.0.0.1');
sock.setNoDelay(true);
await new Promise((r) => sock.once('connect', r));
if (kind === 'raw') {
  const buf = Buffer.from(pixels.buffer);
  for (let i = 0; i < frames; i++) if (!sock.write(buf)) await new Promise((r) => sock.once('drain', r));
  sock.end();
} else {
  const img = frombuffer(pixels, { mode: 'RGBA', size: [w, h] });
  const out = new FrameWriter(sock);
  for (let i = 0; i < frames; i++) await out.write(img);
  await out.end();
}
parentPort.postMessage('done');
`;

async function round(kind, frames) {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const accepted = new Promise((r) => server.once('connection', r));
  const worker = new Worker(SENDER, { eval: true, type: 'module', workerData: { port, kind, frames, w: W, h: H } });
  const sock = await accepted;
  const t0 = performance.now();
  let got = 0;
  if (kind === 'raw') {
    let bytes = 0;
    await new Promise((resolve) => {
      sock.on('data', (c) => { bytes += c.length; });
      sock.on('end', resolve);
    });
    got = bytes / BYTES;
  } else {
    for await (const img of new FrameReader(sock)) if (img.width === W) got++;
  }
  const dt = performance.now() - t0;
  await worker.terminate();
  server.close();
  if (got !== frames) throw new Error(`${kind}: received ${got} of ${frames} frames`);
  return (frames / dt) * 1000;
}

export async function run({ frames = 120, rounds = 5 } = {}) {
  const fps = { raw: [], imarray: [] };
  await round('raw', 20); // warm up both paths
  await round('imarray', 20);
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 ? ['imarray', 'raw'] : ['raw', 'imarray']) fps[kind].push(await round(kind, frames));
  }
  const med = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  const raw = med(fps.raw), ours = med(fps.imarray);
  const gbps = (f) => ((f * BYTES) / 1e9).toFixed(2);
  report(
    `Frames over loopback TCP, ${W}x${H} RGBA, ${frames} frames x ${rounds} rounds (median)`,
    table(
      ['path', 'frames/s', 'GB/s', 'vs raw', 'rounds (frames/s)'],
      [
        ['raw socket', raw.toFixed(1), gbps(raw), '1.00', fps.raw.map((f) => f.toFixed(0)).join(' ')],
        ['FrameWriter -> FrameReader', ours.toFixed(1), gbps(ours), (ours / raw).toFixed(2), fps.imarray.map((f) => f.toFixed(0)).join(' ')],
      ],
    ),
  );
}
