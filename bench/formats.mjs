// (g) The raster formats, file -> array: imarray against Pillow (np.asarray(Image.open(f)),
// Debian's /usr/bin/python3) on the same files, and GIF and WebP against sharp's raw decode
// (GIF expanded to RGBA) and TIFF (libtiff). The files are written by that Pillow from one 2048x2048 photo-like image
// (GIF and P formats quantised to 256 colours), so both read exactly the same bytes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

// libvips' operation cache would serve repeated decodes of the same file from memory
sharp.cache(false);
import { imread } from '../dist/index.js';
import { nativeJ2k } from '../dist/kernels/native.js';
import { OUT, race, table, ms, ratio, report, photoLike, pillowPython, timePillow } from './lib.mjs';

const N = 2048;
// [label, file name, Pillow mode to save, save options]
const CASES = [
  ['BMP RGB', 'f.bmp', 'RGB', ''],
  ['BMP P (8-bit)', 'fp.bmp', 'P', ''],
  ['TGA RGB', 'f.tga', 'RGB', ''],
  ['TGA RGB RLE', 'frle.tga', 'RGB', "compression='tga_rle'"],
  ['PPM RGB', 'f.ppm', 'RGB', ''],
  ['PGM L', 'f.pgm', 'L', ''],
  ['PCX RGB', 'f.pcx', 'RGB', ''],
  ['PCX P', 'fp.pcx', 'P', ''],
  ['GIF P', 'f.gif', 'P', ''],
  ['XBM 1', 'f.xbm', '1', ''],
  ['TIFF RGB raw', 'f.tif', 'RGB', ''],
  ['TIFF RGB LZW', 'flzw.tif', 'RGB', "compression='tiff_lzw'"],
  ['TIFF RGB Deflate', 'fzip.tif', 'RGB', "compression='tiff_adobe_deflate'"],
  ['TIFF RGB PackBits', 'fpb.tif', 'RGB', "compression='packbits'"],
  ['TIFF RGB JPEG q90', 'fjpg.tif', 'RGB', "compression='jpeg', quality=90"],
  ['JPEG 2000 RGB (lossless)', 'f.jp2', 'RGB', ''],
  ['JPEG 2000 RGB (lossy 20:1)', 'fq.jp2', 'RGB', "irreversible=True, quality_mode='rates', quality_layers=[20]"],
  ['JPEG 2000 RGBA (lossless)', 'fa.jp2', 'RGBA', ''],
  ['WebP RGB lossy q80', 'f.webp', 'RGB', 'quality=80'],
  ['WebP RGBA lossless', 'fa.webp', 'RGBA', 'lossless=True'],
];

function makeFiles(py) {
  const raw = `${OUT}formats-src.rgb`;
  if (!existsSync(raw)) writeFileSync(raw, photoLike(N, N, 3));
  const code = `
import sys
from PIL import Image
src = Image.frombytes('RGB', (${N}, ${N}), open(sys.argv[1], 'rb').read())
for name, mode, opts in ${JSON.stringify(CASES.map(([, f, m, o]) => [f, m, o]))}:
    out = sys.argv[2] + name
    im = src.quantize(256) if mode == 'P' else src.convert(mode)
    eval('im.save(out' + (', ' + opts if opts else '') + ')')
`;
  execFileSync(py, ['-c', code, raw, `${OUT}formats-`]);
}

export async function run() {
  const py = pillowPython();
  if (py === null) {
    report('Raster formats vs Pillow', 'skipped: needs /usr/bin/python3 with Pillow and numpy (the files are written by it)');
    return;
  }
  makeFiles(py);
  const rows = [];
  for (const [label, name] of CASES) {
    const file = `${OUT}formats-${name}`;
    const fns = { imarray: () => imread(file) };
    if (/\.(gif|webp|tif)$/.test(name)) fns['sharp raw'] = () => sharp(file).raw().toBuffer();
    const j2k = name.endsWith('.jp2') ? nativeJ2k() : null;
    if (name.endsWith('.jp2')) {
      // the WebAssembly back-end (1 and 3 components), and the native decoder on one thread as Pillow's runs
      if (!name.startsWith('fa')) fns['imarray js'] = () => imread(file, { backend: 'js' });
      if (j2k !== null) {
        const bytes = new Uint8Array(readFileSync(file));
        const bands = name.startsWith('fa') ? 4 : 3;
        fns['native 1 thread'] = () => j2k.decode(bytes, new Uint8Array(N * N * bands), 0, N, N, 1, bands === 4 ? 6 : 5, 0, 0, 1);
      }
    }
    const r = await race(fns, { rounds: name.endsWith('.jp2') ? 5 : 9, warmup: name.endsWith('.jp2') ? 1 : 2 });
    const pil = timePillow(py, file, 'np.asarray(Image.open(F))', name.endsWith('.jp2') ? 5 : 9);
    rows.push([label, ms(r.imarray.median), ms(pil.median), ratio(r.imarray.median, pil.median), r['sharp raw'] ? `${ms(r['sharp raw'].median)} (${ratio(r.imarray.median, r['sharp raw'].median)})` : '-']);
    if (r['native 1 thread']) rows.push([`${label}, native decoder on 1 thread`, ms(r['native 1 thread'].median), ms(pil.median), ratio(r['native 1 thread'].median, pil.median), '-']);
    if (r['imarray js']) rows.push([`${label}, backend 'js' (WebAssembly)`, ms(r['imarray js'].median), ms(pil.median), ratio(r['imarray js'].median, pil.median), '-']);
  }
  // AVIF: written by sharp (Debian's Pillow 9.4 has no AVIF), read by imarray and sharp
  const avif = `${OUT}formats-f.avif`;
  await sharp(readFileSync(`${OUT}formats-src.rgb`), { raw: { width: N, height: N, channels: 3 } }).avif({ quality: 75 }).toFile(avif);
  const ra = await race({ imarray: () => imread(avif), 'imarray js': () => imread(avif, { backend: 'js' }), 'sharp raw': () => sharp(avif).raw().toBuffer() }, { rounds: 9, warmup: 2 });
  rows.push(['AVIF RGB q75 (sharp-written)', ms(ra.imarray.median), '-', '-', `${ms(ra['sharp raw'].median)} (${ratio(ra.imarray.median, ra['sharp raw'].median)})`]);
  rows.push(["AVIF RGB q75, backend 'js' (WebAssembly)", ms(ra['imarray js'].median), '-', '-', `${ms(ra['sharp raw'].median)} (${ratio(ra['imarray js'].median, ra['sharp raw'].median)})`]);
  // peak memory of one decode in a fresh process, imarray and sharp on the same file
  const mem = [];
  const WARMUP = { tif: 'tiff/hopper_lzw.tif', jp2: 'jpeg2000/current_jp2_rgb_q.jp2', webp: 'webp/hopper.webp', avif: 'avif/hopper.avif' };
  if (!existsSync(fileURLToPath(new URL('../fixtures/webp/hopper.webp', import.meta.url)))) throw new Error('bench formats: fixtures/webp/hopper.webp is the WebP warm-up file');
  // the warm-up file loads what the measured decode will load (JPEG-in-TIFF: sharp's libvips)
  const warmFor = (file) => (file.endsWith('fjpg.tif') ? 'tiff/current_tiff_rgb_jpeg.tif' : WARMUP[file.split('.').pop()]);
  const memOf = (file, decoder) => {
    const warm = fileURLToPath(new URL(`../fixtures/${warmFor(file)}`, import.meta.url));
    return JSON.parse(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./formats-memory.mjs', import.meta.url)), file, decoder, warm]).toString());
  };
  for (const [label, name] of [...CASES.filter(([, n]) => /\.(tif|jp2|webp)$/.test(n)), ['AVIF RGB q75 (sharp-written)', 'f.avif']]) {
    const file = `${OUT}formats-${name}`;
    const peaks = [1, 2, 3].map(() => memOf(file, 'imarray'));
    const ours = Math.min(...peaks.map((p) => p.peakMB));
    const outMB = peaks[0].output / 2 ** 20;
    const vs = (mb) => `${mb.toFixed(1)} (${(ours - mb >= 0 ? '+' : '') + (ours - mb).toFixed(1)})`;
    let theirs = '-';
    if (/\.(tif|webp|avif)$/.test(name)) theirs = vs(Math.min(...[1, 2, 3].map(() => memOf(file, 'sharp').peakMB)));
    let pillow = '-';
    if (/\.(tif|webp|jp2)$/.test(name)) {
      const warm = fileURLToPath(new URL(`../fixtures/${warmFor(name)}`, import.meta.url));
      const py = (() => JSON.parse(execFileSync(pillowPython(), [fileURLToPath(new URL('./formats-memory.py', import.meta.url)), file, warm]).toString()).peakMB);
      pillow = vs(Math.min(py(), py(), py()));
    }
    mem.push([label, outMB.toFixed(1), ours.toFixed(1), (ours - outMB).toFixed(1), theirs, pillow]);
  }
  report(
    `Raster formats, ${N}x${N} file -> array (median ms)`,
    table(['format', 'imarray', 'Pillow 9.4 np.asarray(Image.open(f))', 'imarray / Pillow', 'sharp raw (GIF: RGBA; imarray / sharp)'], rows) +
      `\n\nTargets: each decoder <= 1.0x Pillow's time; GIF <= 1.2x sharp's GIF decode; WebP and TIFF <= 1.1x sharp's raw decode.`,
  );
  report(
    `Peak resident memory of one decode, MiB above the process before it (fresh process, least of 3; bench/formats-memory.mjs)`,
    table(['format', 'output', 'imarray peak', 'imarray beyond the output', 'sharp peak (imarray - sharp)', 'Pillow 9.4 peak (imarray - Pillow)'], mem) +
      `\n\nTarget: the output plus at most 2 MB beyond what the decoding library itself needs (sharp's peak where sharp reads the file, else Pillow's with the same OpenJPEG). Pillow's peak includes its own image (4 bytes a pixel for RGB) and numpy's copy.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
