// A small dependency-free SVG line chart: log-log axes, one polyline per series.
import { writeFileSync } from 'node:fs';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** series: { name: [[x, y], ...] }; writes `file` and returns it. */
export function lineChart(file, { title, xLabel, yLabel, series }) {
  const W = 720, H = 440, L = 70, R = 200, T = 40, B = 55;
  const pts = Object.values(series).flat();
  const lx = (v) => Math.log2(v), ly = (v) => Math.log10(v);
  const [x0, x1] = [Math.min(...pts.map((p) => lx(p[0]))), Math.max(...pts.map((p) => lx(p[0])))];
  const [y0, y1] = [Math.floor(Math.min(...pts.map((p) => ly(p[1])))), Math.ceil(Math.max(...pts.map((p) => ly(p[1]))))];
  const px = (v) => L + ((lx(v) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (v) => H - B - ((ly(v) - y0) / (y1 - y0 || 1)) * (H - T - B);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="22" font-size="15">${title}</text>`];
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${L - 8}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`);
  }
  const xs = [...new Set(pts.map((p) => p[0]))].sort((a, b) => a - b);
  for (const x of xs) out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`, `<text x="${px(x)}" y="${H - B + 18}" text-anchor="middle">${x}</text>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${xLabel}</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  Object.entries(series).forEach(([name, p], i) => {
    const c = COLORS[i % COLORS.length];
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${p.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of p) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${c}"/>`);
    out.push(`<line x1="${W - R + 15}" x2="${W - R + 40}" y1="${T + 10 + i * 20}" y2="${T + 10 + i * 20}" stroke="${c}" stroke-width="3"/>`,
      `<text x="${W - R + 46}" y="${T + 14 + i * 20}">${name}</text>`);
  });
  out.push('</svg>');
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}
