import sharp from 'sharp';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { Transformer } from '@napi-rs/image';
import { PNG } from 'pngjs';
import { imread } from '../dist/index.js';
import { OUT, race, photoLike } from './lib.mjs';
const n = 4096;
const file = `${OUT}photo${n}_adaptive.png`;
if (!existsSync(file)) writeFileSync(file, await sharp(photoLike(n, n), { raw: { width: n, height: n, channels: 3 } }).png({ adaptiveFiltering: true, compressionLevel: 6 }).toBuffer());
const t = await race({
  imarray: () => imread(file),
  sharp: () => sharp(file).raw().toBuffer({ resolveWithObject: true }),
  napi: async () => new Transformer(readFileSync(file)).rawPixels(),
}, { rounds: 3, gc: false });
console.log(Object.fromEntries(Object.entries(t).map(([k,v])=>[k, v.median.toFixed(1)])));
