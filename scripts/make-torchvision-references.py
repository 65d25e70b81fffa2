#!/usr/bin/python3
"""torchvision references for torchvisionPreprocess.

Run with Debian's torchvision 0.14 and its Pillow 9.4 (apt-get install python3-torchvision):
    /usr/bin/python3 scripts/make-torchvision-references.py
Writes fixtures/torchvision/cases.json and data.bin: synthetic source images (packed uint8,
numpy layout) and the float32 [C, H, W] tensors of
T.Compose([T.Resize(...), T.CenterCrop(...), T.ToTensor(), T.Normalize(...)]) on them.
The large case stores only the sha256 of its tensor. Deterministic.
"""
import hashlib, json, os
import numpy as np
from PIL import Image
import torch
import torchvision
import torchvision.transforms as T

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'fixtures', 'torchvision')
os.makedirs(OUT, exist_ok=True)
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
blob = bytearray()


def put(a):
    a = np.ascontiguousarray(a)
    off = len(blob)
    blob.extend(a.tobytes())
    while len(blob) % 8:
        blob.append(0)
    return {'offset': off, 'bytes': a.nbytes, 'shape': list(a.shape)}


def photo(w, h, bands, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = []
    for c in range(bands):
        v = 128 + 90 * np.sin(xx / (9 + 3 * c) + yy / 17) * np.cos(yy / (13 + c)) + rng.normal(0, 12, (h, w))
        chans.append(np.clip(v, 0, 255).astype(np.uint8))
    return np.stack(chans, -1) if bands > 1 else chans[0]


sources, cases = {}, []
for name, (w, h, bands) in {'rgb-160x120': (160, 120, 3), 'rgb-90x130': (90, 130, 3), 'l-100x100': (100, 100, 1),
                            'rgb-40x30': (40, 30, 3), 'rgb-500x375': (500, 375, 3)}.items():
    arr = photo(w, h, bands, len(sources) + 1)
    sources[name] = {'mode': 'RGB' if bands == 3 else 'L', 'size': [w, h], **put(arr)}
    pil = Image.fromarray(arr)
    configs = [
        ({'resize': 72, 'crop': 64, 'mean': MEAN[:bands], 'std': STD[:bands]}, T.Compose([T.Resize(72), T.CenterCrop(64), T.ToTensor(), T.Normalize(MEAN[:bands], STD[:bands])])),
        ({'resize': [50, 70]}, T.Compose([T.Resize((50, 70)), T.ToTensor()])),
        ({'resize': 60, 'maxSize': 70, 'resample': 'bicubic'}, T.Compose([T.Resize(60, max_size=70, interpolation=T.InterpolationMode.BICUBIC), T.ToTensor()])),
        ({'crop': [45, 33]}, T.Compose([T.CenterCrop((45, 33)), T.ToTensor()])),
        ({'resize': 33, 'crop': 48, 'mean': MEAN[:bands], 'std': STD[:bands]}, T.Compose([T.Resize(33), T.CenterCrop(48), T.ToTensor(), T.Normalize(MEAN[:bands], STD[:bands])])),
    ]
    if name == 'rgb-500x375':
        configs = [({'resize': 256, 'crop': 224, 'mean': MEAN, 'std': STD}, T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)]))]
    for opts, transform in configs:
        t = transform(pil).numpy().astype('<f4')
        rec = {'src': name, 'options': opts, 'shape': list(t.shape), 'sha256': hashlib.sha256(t.tobytes()).hexdigest()}
        if name != 'rgb-500x375':
            rec.update(put(t))
        cases.append(rec)

with open(os.path.join(OUT, 'data.bin'), 'wb') as f:
    f.write(blob)
with open(os.path.join(OUT, 'cases.json'), 'w') as f:
    json.dump({'generator': 'scripts/make-torchvision-references.py', 'torchvision': torchvision.__version__,
               'torch': torch.__version__, 'sources': sources, 'cases': cases}, f, indent=0)
print(f'{len(cases)} cases, {len(blob)} bytes')
