// Draws the add-in's icons (a white relay baton on Baton's blue rounded square) into addin/assets/icon-<size>.png at
// every size Outlook asks of an add-in: 16, 20, 24, 32, 40, 48, 64 and 80 px for the ribbon buttons, 64 and 128 px
// for the add-in itself. Run once (`npx tsx server/cli/draw-icons.ts`); the PNGs are committed. Imports ./png, node:*.
import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from './png';

export const iconSizes = [16, 20, 24, 32, 40, 48, 64, 80, 128] as const;

const brand = [0x0f, 0x6c, 0xbd] as const; // Fluent's brand blue (colorBrandBackground)
const samples = 4; // per axis: 16 samples a pixel smooth the edges

/** Signed distance from (x, y) to a rounded square filling the unit square with corner radius r (negative inside). */
function roundedSquare(x: number, y: number, r: number): number {
  const qx = Math.abs(x - 0.5) - (0.5 - r);
  const qy = Math.abs(y - 0.5) - (0.5 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance from (x, y) to a capsule from a to b of radius r. */
function capsule(x: number, y: number, a: readonly [number, number], b: readonly [number, number], r: number): number {
  const [ax, ay] = a;
  const [bx, by] = b;
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) - r;
}

export function drawIcon(size: number): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  // Thicker strokes at small sizes, so the baton stays visible at 16 px.
  const radius = size <= 24 ? 0.13 : 0.11;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let cover = 0;
      let white = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (roundedSquare(x, y, 0.2) > 0) continue;
          cover++;
          if (capsule(x, y, [0.27, 0.73], [0.73, 0.27], radius) <= 0) white++;
        }
      }
      const n = samples * samples;
      const i = (py * size + px) * 4;
      const whiteShare = cover === 0 ? 0 : white / cover;
      rgba[i] = Math.round(brand[0] + (255 - brand[0]) * whiteShare);
      rgba[i + 1] = Math.round(brand[1] + (255 - brand[1]) * whiteShare);
      rgba[i + 2] = Math.round(brand[2] + (255 - brand[2]) * whiteShare);
      rgba[i + 3] = Math.round((255 * cover) / n);
    }
  }
  return encodePng(size, size, rgba);
}

if (require.main === module) {
  const folder = path.resolve(__dirname, '..', '..', 'addin', 'assets');
  fs.mkdirSync(folder, { recursive: true });
  for (const size of iconSizes) {
    const file = path.join(folder, `icon-${size}.png`);
    fs.writeFileSync(file, drawIcon(size));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
