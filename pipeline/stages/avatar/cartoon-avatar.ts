import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { ArmPose, Avatar, AvatarState, HandShape } from './avatar.ts';

/** Design space: the body is drawn in a 640×720 box with this much room each side for the arms. */
const MARGIN = 110;
const CANVAS_W = 640 + 2 * MARGIN;
const SKIN = '#f2c6a0';
const SKIN_SHADE = '#e0a985';
const HAIR = '#3b2a22';
const BLAZER = '#1f6f78';
const BLAZER_DARK = '#175a61';
const SHIRT = '#fdfaf4';
const LIP = '#c8505a';
const MOUTH_IN = '#5a1e26';
const TEETH = '#ffffff';
const TONGUE = '#e2707a';
const EYE = '#2d2a32';
const IRIS = '#5b3a29';

/**
 * The default presenter: a half-body 2D cartoon drawn with vectors (Skia via @napi-rs/canvas).
 * Original artwork made in code. The torso is cached (it only moves with breathing); head, face,
 * mouth and arms are drawn each frame.
 */
export class CartoonAvatar implements Avatar {
  readonly width: number;
  readonly height: number;
  readonly #canvas: Canvas;
  readonly #ctx: SKRSContext2D;
  readonly #torso: Canvas;
  readonly #s: number;

  /** `height` in pixels; the drawing is designed at 720 and scales. */
  constructor(height = 720) {
    this.#s = height / 720;
    this.height = height;
    this.width = Math.round(CANVAS_W * this.#s);
    this.#canvas = createCanvas(this.width, this.height);
    this.#ctx = this.#canvas.getContext('2d');
    this.#torso = this.#drawTorso();
  }

  renderFrame(state: AvatarState): Canvas {
    const ctx = this.#ctx;
    const s = this.#s;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.scale(s, s);
    ctx.translate(MARGIN, 0);
    const lift = -4 * state.idle.breath;
    ctx.drawImage(this.#torso, 0, lift, 640, 720);
    this.#drawHead(ctx, state, lift);
    this.#drawArm(ctx, state.right, -1, lift);
    this.#drawArm(ctx, state.left, 1, lift);
    return this.#canvas;
  }

  #drawTorso(): Canvas {
    const c = createCanvas(640, 720);
    const ctx = c.getContext('2d');
    // Neck
    ctx.fillStyle = SKIN_SHADE;
    ctx.fillRect(292, 330, 56, 110);
    // Blazer body
    ctx.fillStyle = BLAZER;
    ctx.beginPath();
    ctx.moveTo(172, 720);
    ctx.lineTo(182, 510);
    ctx.bezierCurveTo(186, 466, 210, 448, 250, 442);
    ctx.lineTo(390, 442);
    ctx.bezierCurveTo(430, 448, 454, 466, 458, 510);
    ctx.lineTo(468, 720);
    ctx.closePath();
    ctx.fill();
    // Shirt V and collar, then the lapels
    fillPolygon(ctx, SHIRT, [275, 436, 365, 436, 320, 560]);
    fillPolygon(ctx, SKIN, [290, 436, 350, 436, 320, 490]);
    for (const dir of [-1, 1]) fillPolygon(ctx, BLAZER_DARK, [320 + dir * 48, 440, 320 + dir * 4, 580, 320 + dir * 70, 500]);
    // Name badge
    ctx.fillStyle = '#f4c542';
    ctx.beginPath();
    ctx.roundRect(385, 520, 54, 22, 5);
    ctx.fill();
    return c;
  }

  #drawHead(ctx: SKRSContext2D, state: AvatarState, lift: number): void {
    const { idle, mouth } = state;
    ctx.save();
    ctx.translate(320 + idle.headX, 330 + lift + idle.headY);
    ctx.rotate(idle.headTilt);
    ctx.translate(0, -84);
    ctx.rotate(state.nod * 0.3);
    // Hair back
    ctx.fillStyle = HAIR;
    ctx.beginPath();
    ctx.ellipse(0, -10, 122, 140, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.beginPath();
    ctx.roundRect(-122, -10, 244, 118, [0, 0, 46, 46]);
    ctx.fill();
    // Ears
    ctx.fillStyle = SKIN_SHADE;
    for (const dir of [-1, 1]) {
      ctx.beginPath();
      ctx.ellipse(dir * 100, 5, 16, 24, 0, 0, Math.PI * 2);
      ctx.fill();
    }
    // Face
    ctx.fillStyle = SKIN;
    ctx.beginPath();
    ctx.ellipse(0, 0, 100, 122, 0, 0, Math.PI * 2);
    ctx.fill();
    // Fringe
    ctx.fillStyle = HAIR;
    ctx.beginPath();
    ctx.moveTo(-104, -20);
    ctx.bezierCurveTo(-100, -150, 100, -160, 106, -30);
    ctx.bezierCurveTo(60, -80, -10, -95, -40, -60);
    ctx.bezierCurveTo(-60, -40, -85, -30, -104, -20);
    ctx.fill();
    // Cheeks
    ctx.fillStyle = 'rgba(235,120,120,0.25)';
    for (const dir of [-1, 1]) {
      ctx.beginPath();
      ctx.ellipse(dir * 58, 38, 20, 12, 0, 0, Math.PI * 2);
      ctx.fill();
    }
    this.#drawEyes(ctx, idle.blink, idle.gazeX);
    // Nose
    ctx.strokeStyle = SKIN_SHADE;
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(-2, 10);
    ctx.quadraticCurveTo(-10, 34, 4, 36);
    ctx.stroke();
    this.#drawMouth(ctx, mouth.open, mouth.width, mouth.round);
    ctx.restore();
  }

  #drawEyes(ctx: SKRSContext2D, blink: number, gazeX: number): void {
    for (const dir of [-1, 1]) {
      const x = dir * 40;
      const y = -12;
      const h = 17 * (1 - blink);
      if (h > 2) {
        ctx.fillStyle = '#ffffff';
        ctx.beginPath();
        ctx.ellipse(x, y, 20, h, 0, 0, Math.PI * 2);
        ctx.fill();
        ctx.save();
        ctx.beginPath();
        ctx.ellipse(x, y, 20, h, 0, 0, Math.PI * 2);
        ctx.clip();
        ctx.fillStyle = IRIS;
        ctx.beginPath();
        ctx.arc(x + gazeX * 6, y + 1, 11, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillStyle = EYE;
        ctx.beginPath();
        ctx.arc(x + gazeX * 6, y + 1, 5.5, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillStyle = '#ffffff';
        ctx.beginPath();
        ctx.arc(x + gazeX * 6 + 4, y - 3, 2.5, 0, Math.PI * 2);
        ctx.fill();
        ctx.restore();
      }
      // Upper lid line (also the closed eye)
      ctx.strokeStyle = EYE;
      ctx.lineWidth = 3.5;
      ctx.beginPath();
      ctx.ellipse(x, y, 21, Math.max(h, 1.5), 0, Math.PI * 1.05, Math.PI * 1.95);
      ctx.stroke();
      // Eyebrow
      ctx.strokeStyle = HAIR;
      ctx.lineWidth = 6;
      ctx.beginPath();
      ctx.moveTo(x - 20, y - 32 - blink * 2);
      ctx.quadraticCurveTo(x, y - 42, x + 20, y - 33 - blink * 2);
      ctx.stroke();
    }
  }

  /** Mouth from the three shape parameters; every viseme is a point in this space. */
  #drawMouth(ctx: SKRSContext2D, open: number, width: number, round: number): void {
    const cy = 66;
    const halfW = 16 + 20 * width - 9 * round;
    const gap = 2 + 40 * open;
    const upper = cy - gap * 0.35;
    const lower = cy + gap * 0.65;
    if (open < 0.04) {
      // Closed: a gentle smile line.
      ctx.strokeStyle = LIP;
      ctx.lineWidth = 5;
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(-halfW, cy - 2);
      ctx.quadraticCurveTo(0, cy + 8 - 4 * round, halfW, cy - 2);
      ctx.stroke();
      return;
    }
    const path = () => {
      ctx.beginPath();
      ctx.moveTo(-halfW, cy);
      ctx.bezierCurveTo(-halfW * 0.6, upper - 4, halfW * 0.6, upper - 4, halfW, cy);
      ctx.bezierCurveTo(halfW * 0.7, lower + 4, -halfW * 0.7, lower + 4, -halfW, cy);
      ctx.closePath();
    };
    ctx.fillStyle = MOUTH_IN;
    path();
    ctx.fill();
    ctx.save();
    path();
    ctx.clip();
    if (open > 0.15) {
      ctx.fillStyle = TEETH;
      ctx.fillRect(-halfW, upper - 6, halfW * 2, 6 + gap * 0.18);
    }
    if (open > 0.4) {
      ctx.fillStyle = TONGUE;
      ctx.beginPath();
      ctx.ellipse(0, lower + 2, halfW * 0.6, gap * 0.3, 0, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.restore();
    ctx.strokeStyle = LIP;
    ctx.lineWidth = 4 + 2 * round;
    path();
    ctx.stroke();
  }

  /** side: -1 = presenter's right arm (screen left), 1 = left arm (screen right). */
  #drawArm(ctx: SKRSContext2D, pose: ArmPose, side: -1 | 1, lift: number): void {
    const sx = 320 + side * 118;
    const sy = 474 + lift;
    const upper = 138;
    const fore = 118;
    // Screen angles: π/2 points down. The upper arm swings outward as `shoulder` grows; the
    // forearm folds toward the body for positive `elbow` and away/up for negative.
    const a1 = Math.PI / 2 - side * pose.shoulder;
    const ex = sx + Math.cos(a1) * upper;
    const ey = sy + Math.sin(a1) * upper;
    const a2 = a1 + side * pose.elbow;
    const hx = ex + Math.cos(a2) * fore;
    const hy = ey + Math.sin(a2) * fore;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = BLAZER_DARK;
    ctx.lineWidth = 48;
    ctx.beginPath();
    ctx.moveTo(sx, sy);
    ctx.lineTo(ex, ey);
    ctx.lineTo(hx, hy);
    ctx.stroke();
    ctx.strokeStyle = BLAZER;
    ctx.lineWidth = 41;
    ctx.stroke();
    ctx.fillStyle = SHIRT;
    ctx.beginPath();
    ctx.arc(hx, hy, 20, 0, Math.PI * 2);
    ctx.fill();
    this.#drawHand(ctx, hx + Math.cos(a2) * 14, hy + Math.sin(a2) * 14, a2, pose.hand, side);
  }

  #drawHand(ctx: SKRSContext2D, x: number, y: number, angle: number, hand: HandShape, side: -1 | 1): void {
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(angle - Math.PI / 2);
    ctx.fillStyle = SKIN;
    ctx.strokeStyle = SKIN_SHADE;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.ellipse(0, 10, 22, 24, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    ctx.lineCap = 'round';
    const finger = (dx: number, len: number) => {
      ctx.strokeStyle = SKIN;
      ctx.lineWidth = 10;
      ctx.beginPath();
      ctx.moveTo(dx, 20);
      ctx.lineTo(dx, 20 + len);
      ctx.stroke();
    };
    if (hand === 'open') [-14, -5, 4, 13].forEach((dx) => finger(dx, 22));
    else if (hand === 'point') finger(-6 * side, 34);
    else if (hand === 'count') [-10, 0, 10].forEach((dx) => finger(dx, 24));
    // Thumb
    ctx.strokeStyle = SKIN;
    ctx.lineWidth = 11;
    ctx.beginPath();
    ctx.moveTo(-16 * side, 8);
    ctx.lineTo(-28 * side, hand === 'relaxed' ? 18 : 24);
    ctx.stroke();
    ctx.restore();
  }
}

/** Fills a closed polygon given as flat x, y pairs. */
function fillPolygon(ctx: SKRSContext2D, color: string, xy: number[]): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(xy[0]!, xy[1]!);
  for (let i = 2; i < xy.length; i += 2) ctx.lineTo(xy[i]!, xy[i + 1]!);
  ctx.closePath();
  ctx.fill();
}
