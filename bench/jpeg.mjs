// (b) JPEG file -> array: imarray (sharp and wasm back-ends) vs sharp raw (+ ndarray) vs jpeg-js
// vs get-pixels vs Pillow.
// Every contestant starts from the file path and stops when the pixels are in a typed array.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { promisify } from 'node:util';
import sharp from 'sharp';
import ndarray from 'ndarray';
import jpeg from 'jpeg-js';
import getPixels from 'get-pixels';
import { imread } from '../dist/index.js';
import { OUT, race, table, ms, ratio, report, photoLike, pillowPython, timePillow } from './lib.mjs';

export async function makeJpeg(n) {
  const file = `${OUT}photo${n}.jpg`;
  if (!existsSync(file)) {
    const buf = await sharp(photoLike(n, n), { raw: { width: n, height: n, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    writeFileSync(file, buf);
  }
  return file;
}

export async function run(sizes = [1024, 4096]) {
  const py = pillowPython();
  const rows = [];
  for (const n of sizes) {
    const file = await makeJpeg(n);
    const rounds = n >= 4096 ? 9 : 15;
    // Native decoders race each other; the pure-JS ones race separately, so the GC of their
    // large JS heaps is not charged to whichever native contender happens to run next.
    const native = {
      imarray: () => imread(file),
      'sharp raw': () => sharp(file).raw().toBuffer({ resolveWithObject: true }),
      'sharp raw + ndarray': async () => {
        const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
        return ndarray(new Uint8Array(data.buffer, data.byteOffset, data.length), [info.height, info.width, info.channels]);
      },
    };
    const pureJs = {
      "imarray backend:'js' (MozJPEG wasm)": () => imread(file, { backend: 'js' }),
      'jpeg-js': () => jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 500, maxMemoryUsageInMB: 4096 }),
      'get-pixels': () => promisify(getPixels)(file, 'image/jpeg'),
    };
    if (n >= 4096) delete pureJs['get-pixels']; // default jpeg-js limits; measured at 1024 only
    const t = { ...(await race(native, { rounds: rounds * 2, gc: false })), ...(await race(pureJs, { rounds: Math.ceil(rounds / 2), gc: false })) };
    if (py) {
      const p = timePillow(py, file, 'a = np.asarray(Image.open(F))', rounds);
      t['Pillow 9.4 np.asarray(Image.open(f))'] = { best: p.best, median: p.median };
    }
    const base = t['sharp raw'];
    for (const [name, v] of Object.entries(t)) rows.push([`${n}x${n}`, name, ms(v.median), ms(v.best), ratio(v.median, base.median), ratio(v.best, base.best)]);
  }
  report(
    'JPEG file -> array (q90 4:2:0 photo-like RGB)',
    table(['size', 'decoder', 'median ms', 'best ms', 'median vs sharp raw', 'best vs sharp raw'], rows) + "\n\nTarget: imarray <= 1.05x sharp's own raw decode. get-pixels is left out at 4096^2 (jpeg-js limits in its defaults). " +
      "imarray's wasm back-end equals Pillow on 8-bit Huffman RGB/grey; jpeg-js differs by up to 47 levels on the corpus.",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
