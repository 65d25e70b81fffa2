#!/usr/bin/python3
"""Pillow's `info` of every WebP fixture, frame by frame (the corpus records carry no `info`).

Run with Debian's Pillow 9.4 (apt-get install python3-pil), whose WebPImagePlugin reads info
through libwebp's WebPAnimDecoder as current Pillow's does:
    /usr/bin/python3 scripts/make-webp-info-references.py
Writes fixtures/webp-info-reference.json: per file, per frame (up to 6), the info dict with
bytes values as {len, sha256}, and the mode and frame count.
"""
import hashlib, json
from pathlib import Path
from PIL import Image

root = Path(__file__).resolve().parent.parent
out = {}
for path in sorted((root / 'fixtures/webp').glob('*.webp')):
    im = Image.open(path)
    frames = []
    for i in range(min(im.n_frames, 6)):
        im.seek(i)
        im.load()
        frames.append({k: ({'len': len(v), 'sha256': hashlib.sha256(v).hexdigest()} if isinstance(v, bytes) else v) for k, v in im.info.items()})
    out[f'webp/{path.name}'] = {'mode': im.mode, 'n_frames': im.n_frames, 'frames': frames}
(root / 'fixtures/webp-info-reference.json').write_text(json.dumps({'generator': 'scripts/make-webp-info-references.py', 'pillow': Image.__version__, 'files': out}, indent=1) + '\n')
print(f'{len(out)} files')
