// Generates aligned training/test data for the audio→viseme model, offline, from synthesizers that
// report phoneme timing: eSpeak NG (npm wasm; many voices/variants, randomised rate and pitch,
// English and Mandarin) and Debian flite voices (slt, rms, awb, kal16: an unseen synthesizer, test
// only). Splits are by VOICE (and sentence), never by sentence alone.
// Output (not committed, ~100 MB): $VV_DATA or /tmp/onair-vv/{split}.pcm (int16 16 kHz),
// {split}.lab (uint8 viseme index per 10 ms hop), {split}.json (per-utterance index).
// Usage: node --import tsx models/voice-visemes/make-data.ts   (needs: apt-get install flite flite1-dev gcc)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../pipeline/core/random.ts';
import type { Viseme } from '../../pipeline/stages/lipsync/visemes.ts';
import { Resampler } from '../../pipeline/stages/tts/resampler.ts';
import { espeakRender, HOP, labelHops, OUT, RATE, save, WIN, type Utt } from './labels.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const random = seededRandom(20261125);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

// ---- sentences: live-shopping style templates plus general sentences, English and Chinese ----
const EN_PRODUCTS = ['blender', 'teapot', 'phone case', 'silk scarf', 'rice cooker', 'face cream', 'running shoes', 'coffee maker', 'wool blanket', 'vacuum cleaner', 'leather bag', 'desk lamp'];
const EN_ADJ = ['beautiful', 'powerful', 'quiet', 'smooth', 'bright', 'lovely', 'sturdy', 'gentle', 'perfect', 'fresh'];
const EN_TEMPLATES = [
  (p: string, a: string, n: number) => `This ${a} ${p} is only ${n} dollars today.`,
  (p: string, a: string) => `Look how ${a} this ${p} is, would you like to see it closer?`,
  (p: string, _a: string, n: number) => `We have ${n} ${p}s left, so order now before they are gone!`,
  (p: string, a: string) => `Everyone says the ${p} feels ${a}, and I agree completely.`,
  (p: string, _a: string, n: number) => `Buy two ${p}s and save ${n} percent, free shipping too.`,
  (p: string, a: string) => `Why choose this ${p}? Because it is ${a} and it lasts for years.`,
];
const EN_GENERAL = [
  'The quick brown fox jumps over the lazy dog.', 'Welcome back to the show, thank you all for joining.', 'Please tell your friends about our live room.',
  'She sells seashells by the seashore every summer.', 'How much wood would a woodchuck chuck?', 'Thank you so much for your wonderful comments.',
  'Good evening, everybody, and welcome to the studio.', 'Measure twice, cut once, and you will rarely go wrong.', 'Our warehouse ships within twenty four hours.',
  'Feel the fabric, it is thick, warm and very soft.', 'Do you have any questions about the size or the colour?', "Remember to follow us for tomorrow's special deals.",
];
const ZH_PRODUCTS = ['破壁机', '茶壶', '手机壳', '丝巾', '电饭煲', '面霜', '跑鞋', '咖啡机', '羊毛毯', '吸尘器', '皮包', '台灯'];
const ZH_ADJ = ['漂亮', '好用', '安静', '顺滑', '明亮', '可爱', '结实', '温和', '完美', '新鲜'];
const ZH_NUM = ['九十九', '一百二十八', '五十九', '二百', '三十九', '六十六', '八十八', '一百五十'];
const ZH_TEMPLATES = [
  (p: string, a: string, n: string) => `这款${a}的${p}今天只要${n}元。`,
  (p: string, a: string) => `大家看这个${p}多${a}，要不要再看近一点？`,
  (p: string, _a: string, n: string) => `${p}只剩${n}件了，赶紧下单吧！`,
  (p: string, a: string) => `很多朋友都说这个${p}特别${a}，我也这么觉得。`,
  (p: string, _a: string, n: string) => `买两件${p}立减${n}元，还包邮哦。`,
  (p: string, a: string) => `为什么选这款${p}？因为它${a}又耐用。`,
];
const ZH_GENERAL = [
  '大家好，欢迎来到我们的直播间。', '感谢大家的支持，记得点个关注。', '有什么问题可以在评论区告诉我。', '今天的优惠力度非常大，千万不要错过。',
  '我们的仓库二十四小时内发货。', '摸一摸这个面料，又厚又软又暖和。', '晚上好，各位朋友，今天我们聊聊厨房用品。', '明天同一时间，我们不见不散。',
];

function sentences(lang: 'en' | 'zh', count: number): string[] {
  const out = new Set<string>(lang === 'en' ? EN_GENERAL : ZH_GENERAL);
  while (out.size < count) {
    if (lang === 'en') out.add(pick(EN_TEMPLATES)(pick(EN_PRODUCTS), pick(EN_ADJ), 2 + Math.floor(random() * 98)));
    else out.add(pick(ZH_TEMPLATES)(pick(ZH_PRODUCTS), pick(ZH_ADJ), pick(ZH_NUM)));
  }
  return [...out];
}

// ---- flite phones (CMU ARPAbet) → visemes ----
const ARPA: Record<string, Viseme[]> = {
  pau: ['sil'], h: ['sil'], aa: ['aa'], ae: ['aa'], ah: ['aa'], aw: ['aa', 'U'], ay: ['aa', 'I'], ax: ['E'], axr: ['RR'], er: ['RR'], ao: ['O'],
  eh: ['E'], ey: ['E', 'I'], ih: ['I'], iy: ['I'], y: ['I'], ow: ['O', 'U'], oy: ['O', 'I'], uh: ['U'], uw: ['U'], w: ['U'],
  b: ['PP'], p: ['PP'], m: ['PP'], f: ['FF'], v: ['FF'], th: ['TH'], dh: ['TH'], t: ['DD'], d: ['DD'], dx: ['DD'],
  k: ['kk'], g: ['kk'], ng: ['kk'], hh: ['kk'], ch: ['CH'], jh: ['CH'], sh: ['CH'], zh: ['CH'], s: ['SS'], z: ['SS'], n: ['nn'], l: ['nn'], r: ['RR'],
};

function espeakUtt(voice: string, text: string, lang: 'en' | 'zh'): Utt {
  return { voice, lang, text, ...espeakRender(voice, text, 130 + Math.floor(random() * 100), 25 + Math.floor(random() * 50)) };
}

function fliteUtt(voice: string, text: string): Utt {
  const wav = path.join(OUT, 'flite.wav');
  const lines = execFileSync('/tmp/flite-align', [voice, text, wav], { encoding: 'utf8' }).trim().split('\n');
  const buf = readFileSync(wav);
  const rate = buf.readUInt32LE(24);
  let audio: Int16Array = new Int16Array(buf.buffer.slice(buf.byteOffset + 44));
  if (rate !== RATE) audio = new Resampler(rate, RATE).push(audio);
  let prev = 0;
  const segments = lines.map((l) => {
    const [name, end] = l.split(' ');
    const seg = { start: prev, end: Number(end), visemes: ARPA[name!] ?? ['sil'] };
    prev = Number(end);
    return seg;
  });
  return { voice: `flite:${voice}`, lang: 'en', text, audio, labels: labelHops(segments as { start: number; end: number; visemes: Viseme[] }[], audio.length) };
}

mkdirSync(OUT, { recursive: true });
execFileSync('gcc', ['-O2', '-o', '/tmp/flite-align', path.join(here, 'flite-align.c'), '-lflite_cmu_us_slt', '-lflite_cmu_us_rms', '-lflite_cmu_us_awb', '-lflite_cmu_us_kal16', '-lflite_usenglish', '-lflite_cmulex', '-lflite', '-lm']);

export const VOICES = {
  enTrain: ['en-us', 'en-us+m1', 'en-us+m3', 'en-us+f2', 'en-gb', 'en-gb+f4', 'en-029', 'en-us+klatt'],
  zhTrain: ['cmn', 'cmn+m1', 'cmn+f2', 'cmn+m5', 'cmn+f4'],
  enHeldOut: ['en-gb-x-rp+m7', 'en-us+f5'],
  zhHeldOut: ['cmn+m7', 'cmn-latn-pinyin+f5'],
  flite: ['slt', 'rms', 'awb', 'kal16'],
  // Cantonese eSpeak voice reading Chinese text: the only other "synthesizer" for Chinese here.
  zhUnseen: ['yue'],
};
const en = sentences('en', 160);
const zh = sentences('zh', 110);
const enTrain = en.slice(0, 130), enTest = en.slice(130);
const zhTrain = zh.slice(0, 90), zhTest = zh.slice(90);

const train: Utt[] = [];
for (const s of enTrain) for (let k = 0; k < 3; k++) train.push(espeakUtt(pick(VOICES.enTrain), s, 'en'));
for (const s of zhTrain) for (let k = 0; k < 3; k++) train.push(espeakUtt(pick(VOICES.zhTrain), s, 'zh'));
save('train', train);
save('test-espeak-en', enTest.flatMap((s) => VOICES.enHeldOut.map((v) => espeakUtt(v, s, 'en'))));
save('test-espeak-zh', zhTest.flatMap((s) => VOICES.zhHeldOut.map((v) => espeakUtt(v, s, 'zh'))));
save('test-flite-en', enTest.flatMap((s) => VOICES.flite.map((v) => fliteUtt(v, s))));
save('test-yue-zh', zhTest.map((s) => espeakUtt('yue', s, 'zh')));
writeFileSync(path.join(OUT, 'recipe.json'), JSON.stringify({ voices: VOICES, sentences: { enTrain: enTrain.length, enTest: enTest.length, zhTrain: zhTrain.length, zhTest: zhTest.length }, rate: RATE, hop: HOP, window: WIN }, null, 2));
