/**
 * Wrapping foreign pixels (fromBuffer / fromArray) and numpy files (toNpy / fromNpy), checked
 * against Pillow's fromarray table and numpy's own np.save files (scripts/make-interop-references.py),
 * with a real canvas (@napi-rs/canvas getImageData) as the foreign producer.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { fromBuffer, fromArray, toNpy, fromNpy, toArray, flipud, fliplr, crop, encode, open, ImarrayError, InvalidArgumentError, type FromArrayData, type Mode } from '../../src/index.js';
import { fixture, sha256 } from '../helpers/fixtures.js';

const REF = JSON.parse(readFileSync(fixture('interop-reference.json'), 'utf8')) as {
  fromarray: Record<string, string>;
  npy: Record<string, { dtype: string; shape: number[]; sha256: string; fortran: boolean }>;
  jpeg_q75: Record<string, string>;
};

describe('fromBuffer', () => {
  it('wraps a canvas ImageData without a copy: same pixels, shared memory', async () => {
    const canvas = createCanvas(5, 4);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgb(200, 10, 30)';
    ctx.fillRect(0, 0, 5, 4);
    ctx.fillStyle = 'rgb(0, 128, 255)';
    ctx.fillRect(1, 2, 3, 1); // row 2, columns 1..3
    const image = ctx.getImageData(0, 0, 5, 4);
    const img = fromBuffer(image.data, { mode: 'RGBA', size: [5, 4] });
    const a = toArray(img, { copy: false });
    expect(a.shape).toEqual([4, 5, 4]);
    expect([a.get(0, 0, 0), a.get(0, 0, 1), a.get(0, 0, 2), a.get(0, 0, 3)]).toEqual([200, 10, 30, 255]);
    expect([a.get(2, 1, 0), a.get(2, 1, 1), a.get(2, 1, 2)]).toEqual([0, 128, 255]);
    expect([a.get(2, 4, 0), a.get(3, 1, 0)]).toEqual([200, 200]);
    expect(a.data.buffer).toBe(image.data.buffer); // a view of the canvas' memory
    image.data[0] = 7;
    expect(a.get(0, 0, 0)).toBe(7);
    expect((await img.convert('L')).size).toEqual([5, 4]);
  });

  it("origin 'bottom-left' (GL readPixels) is the upright image as a flipped view", () => {
    const w = 3;
    const h = 4;
    const bytes = new Uint8Array(w * h * 3).map((_, i) => i);
    const up = fromBuffer(bytes, { mode: 'RGB', size: [w, h] });
    const gl = fromBuffer(bytes, { mode: 'RGB', size: [w, h], origin: 'bottom-left' });
    expect(gl.isView).toBe(true);
    const a = toArray(gl, { copy: false });
    expect(a.data.buffer).toBe(bytes.buffer);
    expect(a.get(0, 0, 0)).toBe(bytes[(h - 1) * w * 3]); // first row shown = last row in memory
    expect(Array.from(toArray(gl).data)).toEqual(Array.from(toArray(flipud(up)).data));
    expect(sha256(gl.toBytes())).toBe(sha256(toArray(flipud(up)).data));
  });

  it('honours a padded stride and a byte offset, over Buffer, ArrayBuffer, SharedArrayBuffer and DataView', () => {
    const w = 3;
    const h = 2;
    const stride = 8; // 3 bytes of L + 5 padding
    const sab = new SharedArrayBuffer(4 + stride * h);
    const u8 = new Uint8Array(sab);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) u8[4 + y * stride + x] = 10 * y + x;
    for (const data of [sab, u8, Buffer.from(sab), new DataView(sab)]) {
      const img = fromBuffer(data, { mode: 'L', size: [w, h], stride, byteOffset: 4 });
      expect(Array.from(toArray(img).data)).toEqual([0, 1, 2, 10, 11, 12]);
    }
  });

  it('wraps 16-bit and float modes over their typed arrays', () => {
    const u16 = new Uint16Array([1, 65535, 300, 4]);
    expect(Array.from(toArray(fromBuffer(u16, { mode: 'I;16', size: [2, 2] })).data)).toEqual([1, 65535, 300, 4]);
    const f = new Float32Array([0.5, -2]);
    expect(toArray(fromBuffer(f.buffer, { mode: 'F', size: [2, 1] })).data).toEqual(f);
  });

  it('raises InvalidArgumentError for too little memory, misalignment, mode 1 and bad sizes', () => {
    const bad: [unknown, object][] = [
      [new Uint8Array(11), { mode: 'RGB', size: [2, 2] }],
      [new Uint8Array(9), { mode: 'I;16', size: [2, 2], byteOffset: 1 }],
      [new Uint8Array(8), { mode: '1', size: [8, 8] }],
      [new Uint8Array(8), { mode: 'L', size: [0, 8] }],
      [new Uint8Array(8), { mode: 'L', size: [2, 2], stride: 1 }],
      [new Uint8Array(8), { mode: 'L', size: [2, 2], origin: 'centre' }],
      ['pixels', { mode: 'L', size: [1, 1] }],
    ];
    for (const [data, opts] of bad) {
      expect(() => fromBuffer(data as Uint8Array, opts as { mode: Mode; size: [number, number] }), JSON.stringify(opts)).toThrow(InvalidArgumentError);
    }
    expect(() => fromBuffer(new Uint8Array(11), { mode: 'RGB', size: [2, 2] })).toThrow(/needs 12 bytes/);
  });
});

describe('fromArray', () => {
  const CTORS: Record<string, new (n: number) => FromArrayData> = {
    uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, int32: Int32Array,
    uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
  };
  for (const [key, want] of Object.entries(REF.fromarray)) {
    const [dtype, dims] = key.split(':');
    if (dtype === 'bool') continue; // no bool typed array in JS: 0/1 uint8 is '1' only when asked (below)
    it(`${key}: ${want} like Pillow's fromarray`, () => {
      const shape = dims.split('x').map(Number);
      const nd = ndarray(new CTORS[dtype](shape.reduce((a, b) => a * b, 1)), shape.length === 3 && shape[2] === 1 ? shape.slice(0, 2).concat(1) : shape);
      if (want.startsWith('error')) {
        expect(() => fromArray(nd)).toThrow(InvalidArgumentError);
      } else {
        const img = fromArray(nd);
        expect(img.mode).toBe(want);
        expect(img.size).toEqual([shape[1], shape[0]]);
      }
    });
  }

  it('keeps the memory of a view (no copy), converts what Pillow converts', () => {
    const data = new Uint8Array(4 * 6 * 3).map((_, i) => i % 251);
    const nd = ndarray(data, [4, 6, 3]);
    const img = fromArray(nd.hi(3, 5).lo(1, 1)); // a crop view
    expect(img.size).toEqual([4, 2]);
    expect(toArray(img, { copy: false }).data.buffer).toBe(data.buffer);
    expect(toArray(img).get(0, 0, 0)).toBe(nd.get(1, 1, 0));
    const wide = fromArray(ndarray(new Uint32Array([1, 0xffffffff]), [1, 2]));
    expect(Array.from(toArray(wide).data)).toEqual([1, -1]); // Pillow's I;32 read wraps
    const f64 = fromArray(ndarray(new Float64Array([0.1, 1e40]), [1, 2]));
    expect(Array.from(toArray(f64).data)).toEqual([Math.fround(0.1), Infinity]);
  });

  it("reads 0/1 uint8 as '1' and uint8 as 'P' only when asked, and checks the mode fits", () => {
    const bits = ndarray(new Uint8Array([0, 1, 1, 0]), [2, 2]);
    expect(fromArray(bits).mode).toBe('L');
    expect(fromArray(bits, '1').mode).toBe('1');
    expect(() => fromArray(ndarray(new Uint8Array([0, 2]), [1, 2]), '1')).toThrow(/maximum is 2/);
    expect(fromArray(bits, 'P').mode).toBe('P');
    expect(fromArray(ndarray(new Uint8Array(8), [1, 2, 4]), 'CMYK').mode).toBe('CMYK');
    expect(() => fromArray(ndarray(new Uint8Array(8), [1, 2, 4]), 'RGB')).toThrow(InvalidArgumentError);
    expect(() => fromArray(ndarray(new Float32Array(4), [2, 2]), 'L')).toThrow(InvalidArgumentError);
  });
});

describe('toNpy / fromNpy against numpy', () => {
  for (const [name, ref] of Object.entries(REF.npy)) {
    it(`${name}.npy: fromNpy equals numpy's array, toNpy writes np.save's bytes`, () => {
      const file = new Uint8Array(readFileSync(fixture(`npy/${name}.npy`)));
      const a = fromNpy(file);
      expect(a.shape).toEqual(ref.shape);
      // a Fortran file comes back as a transposed view; toNpy writes C order
      const c = toNpy(a, { bool: ref.dtype === '|b1' });
      const back = fromNpy(c);
      expect(sha256(back.data)).toBe(ref.sha256);
      if (!ref.fortran) {
        expect(a.data.buffer).toBe(file.buffer); // zero-copy over the file's bytes
        expect(sha256(c)).toBe(sha256(file)); // byte-for-byte np.save
      }
    });
  }

  it("writes an image as np.asarray(img) would: mode 1 as bool, I;16 as <u2", async () => {
    const bits = await (await open(fixture('png/pngsuite/basn0g01.png'))).load();
    expect(new TextDecoder().decode(toNpy(bits).subarray(10, 60))).toContain("'descr': '|b1'");
    const gray16 = await (await open(fixture('png/pngsuite/basn0g16.png'))).load();
    const back = fromNpy(toNpy(gray16));
    expect(back.shape).toEqual([32, 32]);
    expect(sha256(back.data)).toBe(sha256(toArray(gray16).data));
  });

  it('raises typed errors for a bad magic, a short file, big-endian data', () => {
    expect(() => fromNpy(new Uint8Array(20))).toThrow(ImarrayError);
    const file = new Uint8Array(readFileSync(fixture('npy/u16_gray.npy')));
    expect(() => fromNpy(file.subarray(0, 100))).toThrow(/header of 118 bytes runs past the end/);
    expect(() => fromNpy(file.subarray(0, 200))).toThrow(/needs 108 bytes after the header, the file has 72/);
    const be = file.slice();
    be.set(new TextEncoder().encode("'>u2'"), new TextDecoder().decode(be.subarray(0, 128)).indexOf("'<u2'"));
    expect(() => fromNpy(be)).toThrow(/not supported/);
  });
});

describe('encode / save (sharp)', () => {
  const load = async (name: string) => (await open(fixture(name))).load();

  it('PNG round trips keep every value for L, LA, RGB, RGBA, I;16', async () => {
    for (const name of ['basn0g08', 'basn4a08', 'basn2c08', 'basn6a08', 'basn0g16']) {
      const img = await load(`png/pngsuite/${name}.png`);
      const back = await (await open(await img.encode('png'))).load();
      expect(back.mode, name).toBe(img.mode);
      expect(sha256(toArray(back).data), name).toBe(sha256(toArray(img).data));
    }
  });

  it('writes views (a crop of the top rows, over the whole storage; a flip) with exactly their pixels', async () => {
    const img = await load('png/pngsuite/basn6a08.png');
    for (const view of [crop(img, [0, 0, 32, 10]), crop(img, [3, 5, 20, 30]), fliplr(img)]) {
      const back = await (await open(await encode(view, 'png'))).load();
      expect(back.size).toEqual(view.size);
      expect(sha256(toArray(back).data)).toBe(sha256(toArray(view).data));
    }
  });

  it('writes P as RGB(A) and 1 as L 0/255, pixels kept (sharp writes no palette or 1-bit PNG)', async () => {
    const p = await load('png/pngsuite/basn3p08.png');
    const back = await (await open(await p.encode('png'))).load();
    expect(back.mode).toBe('RGB');
    expect(sha256(toArray(back).data)).toBe(sha256(toArray(await p.convert('RGB')).data));
    const bits = await load('png/pngsuite/basn0g01.png');
    const l = await (await open(await bits.encode('png'))).load();
    expect(sha256(toArray(l).data)).toBe(sha256(toArray(await bits.convert('L')).data));
  });

  it("JPEG with Pillow's defaults (q75, 4:2:0) decodes to exactly the pixels of Pillow's own save; RGBA refused like Pillow", async () => {
    for (const [name, want] of Object.entries(REF.jpeg_q75)) {
      const img = await load(name);
      const back = await (await open(await img.encode('jpeg'))).load();
      expect(back.size).toEqual(img.size);
      expect(sha256(toArray(back).data), name).toBe(want);
    }
    await expect((await load('png/pngsuite/basn6a08.png')).encode('jpeg')).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNSUPPORTED' });
  });

  it('save() picks the format from the extension and rejects unknown ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imarray-'));
    const img = await load('png/pngsuite/basn2c08.png');
    await img.save(join(dir, 'a.png'));
    await img.save(join(dir, 'a.jpg'));
    expect((await open(join(dir, 'a.png'))).format).toBe('PNG');
    expect((await open(join(dir, 'a.jpg'))).format).toBe('JPEG');
    await expect(img.save(join(dir, 'a.gif'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
