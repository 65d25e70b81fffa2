// Frames over loopback TCP: 1920x1080 RGBA (8,294,400 bytes a frame). The sender is a TCP
// server on a worker thread (its own core); the receiver connects from this thread. Per round,
// N frames:
//   raw socket              the server writes the pixel bytes with write()/'drain'; the
//                           receiver only counts each 'data' chunk (no header, no copy)
//   FrameReader.connect     FrameWriter.write(img) awaited per frame; the reader's socket
//                           reads straight into the pooled frame array (onread), yields Images
//   new FrameReader(socket) the same over a plain socket: 'data' chunks copied into the array
// Reported: frames/s (median of rounds) and the ratio to raw. Target (issue #5): >= 90% of raw.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { FrameReader } from '../dist/index.js';
import { table, report } from './lib.mjs';

const W = 1920, H = 1080, BYTES = W * H * 4;

const SENDER = `
import net from 'node:net';
import { workerData, parentPort } from 'node:worker_threads';
import { FrameWriter, frombuffer } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
const { kind, frames, w, h } = workerData;
const pixels = new Uint8Array(w * h * 4);
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
const server = net.createServer(async (sock) => {
  server.close();
  sock.setNoDelay(true);
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
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

async function round(kind, frames) {
  const worker = new Worker(SENDER, { eval: true, type: 'module', workerData: { kind, frames, w: W, h: H } });
  const port = await new Promise((r) => worker.once('message', r));
  const t0 = performance.now();
  let got = 0;
  if (kind === 'raw') {
    let bytes = 0;
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => {
      sock.on('data', (c) => { bytes += c.length; });
      sock.on('end', resolve);
    });
    got = bytes / BYTES;
  } else {
    const reader = kind === 'connect' ? FrameReader.connect({ port, host: '127.0.0.1' }) : new FrameReader(net.connect(port, '127.0.0.1'));
    for await (const img of reader) if (img.width === W) got++;
  }
  const dt = performance.now() - t0;
  await worker.terminate();
  if (got !== frames) throw new Error(`${kind}: received ${got} of ${frames} frames`);
  return (frames / dt) * 1000;
}

export async function run({ frames = 120, rounds = 7 } = {}) {
  const kinds = ['raw', 'connect', 'copy'];
  const fps = Object.fromEntries(kinds.map((k) => [k, []]));
  for (const k of kinds) await round(k, 20); // warm up
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < kinds.length; j++) {
      const k = kinds[(r + j) % kinds.length];
      fps[k].push(await round(k, frames));
    }
  }
  const med = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  const raw = med(fps.raw);
  const gbps = (f) => ((f * BYTES) / 1e9).toFixed(2);
  const row = (name, k) => [name, med(fps[k]).toFixed(1), gbps(med(fps[k])), (med(fps[k]) / raw).toFixed(2), fps[k].map((f) => f.toFixed(0)).join(' ')];
  report(
    `Frames over loopback TCP, ${W}x${H} RGBA, ${frames} frames x ${rounds} rounds (median)`,
    table(
      ['receiver', 'frames/s', 'GB/s', 'vs raw', 'rounds (frames/s)'],
      [
        row('raw socket (count bytes only)', 'raw'),
        row('FrameReader.connect (zero-copy)', 'connect'),
        row('new FrameReader(socket) (one copy)', 'copy'),
      ],
    ),
  );
}
