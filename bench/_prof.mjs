import { imread } from '../dist/index.js';
const file = 'bench/out/photo4096_adaptive.png';
for (let i = 0; i < 3; i++) { const t = performance.now(); await imread(file); console.log((performance.now() - t).toFixed(1)); }
