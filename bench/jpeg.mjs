// (b) JPEG file -> array: imarray vs sharp raw (+ ndarray) vs jpeg-js vs get-pixels vs Pillow.
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
    const contenders = {
      imarray: () => imread(file),
      'sharp raw': () => sharp(file).raw().toBuffer({ resolveWithObject: true }),
      'sharp raw + ndarray': async () => {
        const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
        return ndarray(new Uint8Array(data.buffer, data.byteOffset, data.length), [info.height, info.width, info.channels]);
      },
      'jpeg-js': () => jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 500, maxMemoryUsageInMB: 4096 }),
      'get-pixels': () => promisify(getPixels)(file, 'image/jpeg'),
    };
    if (n >= 4096) delete contenders['get-pixels']; // default jpeg-js limits; measured at 1024 only
    const t = await race(contenders, { rounds });
    if (py) t['Pillow 9.4 np.asarray(Image.open(f))'] = timePillow(py, file, 'a = np.asarray(Image.open(F))', rounds);
    const base = t['sharp raw'];
    for (const [name, v] of Object.entries(t)) rows.push([`${n}x${n}`, name, ms(v), ratio(v, base)]);
  }
  report(
    'JPEG file -> array (q90 4:2:0 photo-like RGB), best ms',
    table(['size', 'decoder', 'ms', 'vs sharp raw'], rows) + "\n\nTarget: imarray <= 1.05x sharp's own raw decode. get-pixels is left out at 4096^2 (jpeg-js limits in its defaults).",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
