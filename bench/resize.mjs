// (h) Resize of raw pixels already in memory: imarray's Pillow-exact resize against Pillow
// (Debian's /usr/bin/python3, C) and sharp (libvips, not Pillow's values) on the same pixels,
// in the same run. Cases: a 1000x750 RGB photo to 224x224 (bilinear, bicubic, lanczos),
// 4096x4096 RGB to 1024x1024 (bicubic), and a 4x upscale of 256x192 (bicubic).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { fromStorage, resize } from '../dist/index.js';
import { OUT, race, table, ms, ratio, pairedRatio, report, photoLike, pillowPython } from './lib.mjs';

const CASES = [
  // [label, w, h, outW, outH, filter]
  ['1000x750 -> 224x224 bilinear', 1000, 750, 224, 224, 'bilinear'],
  ['1000x750 -> 224x224 bicubic', 1000, 750, 224, 224, 'bicubic'],
  ['1000x750 -> 224x224 lanczos', 1000, 750, 224, 224, 'lanczos'],
  ['4096x4096 -> 1024x1024 bicubic', 4096, 4096, 1024, 1024, 'bicubic'],
  ['256x192 -> 1024x768 bicubic (4x up)', 256, 192, 1024, 768, 'bicubic'],
];
const SHARP_KERNEL = { bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3' };

function pillowTimes(py, cases, rounds) {
  const code = `
import sys, time, json
from PIL import Image
F = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC, 'lanczos': Image.LANCZOS}
out = []
for path, w, h, ow, oh, f in json.loads(sys.argv[1]):
    im = Image.frombytes('RGB', (w, h), open(path, 'rb').read())
    ts = []
    for i in range(${rounds} + 1):
        t = time.perf_counter(); im.resize((ow, oh), F[f]); dt = (time.perf_counter() - t) * 1000
        if i: ts.append(dt)
    ts.sort()
    out.append(ts[len(ts) // 2])
print(json.dumps(out))`;
  return JSON.parse(execFileSync(py, ['-c', code, JSON.stringify(cases)]).toString());
}

export async function run() {
  const py = pillowPython();
  const rows = [];
  const files = CASES.map(([, w, h]) => {
    const path = `${OUT}resize-${w}x${h}.rgb`;
    writeFileSync(path, photoLike(w, h, 3));
    return path;
  });
  const pil = py === null ? null : pillowTimes(py, CASES.map(([, w, h, ow, oh, f], i) => [files[i], w, h, ow, oh, f]), 15);
  for (const [i, [label, w, h, ow, oh, f]] of CASES.entries()) {
    const src = photoLike(w, h, 3);
    const img = fromStorage('RGB', [w, h], src);
    const r = await race({
      imarray: () => resize(img, [ow, oh], { resample: f }),
      sharp: () => sharp(src, { raw: { width: w, height: h, channels: 3 } }).resize(ow, oh, { kernel: SHARP_KERNEL[f], fit: 'fill' }).raw().toBuffer(),
    }, { rounds: 5, warmup: 1, interleave: 5, gc: false });
    const p = pil?.[i];
    rows.push([label, ms(r.imarray.median), p === undefined ? '-' : ms(p), p === undefined ? '-' : ratio(r.imarray.median, p), ms(r.sharp.median), pairedRatio(r.imarray, r.sharp)]);
  }
  report(
    'Resize of raw RGB pixels in memory (median ms)',
    table(['case', 'imarray (exact)', 'Pillow 9.4 (C)', 'imarray / Pillow', 'sharp (not exact)', 'imarray / sharp (paired)'], rows) +
      '\n\nimarray and sharp take turns call by call (25 calls each); Pillow runs in its own process (15 calls). Target (issue: resize): <= 1.0x Pillow and <= 1.2x sharp on the downscales; <= 1.5x Pillow on the 4x upscale.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
