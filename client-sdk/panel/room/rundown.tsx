// Rundown editor: product segments (name, price, selling points, stock line, image), their lines
// with several wordings each, loops and variant order; show controls; the live position from
// show.* events (the segment and line on air are highlighted).
import { useState } from 'preact/hooks';
import type { Rundown, ShowLine, ShowPosition, ShowState, ShowStatus } from '../../src/live-room-types.ts';
import { freeId, moved, newKey, readBase64, useAction, useEvent, useLoad, useRoom, useT } from './context.ts';

interface LineDraft {
  key: number;
  variants: { key: number; text: string }[];
  lang: NonNullable<ShowLine['lang']>;
  voice?: string;
}

interface SegmentDraft {
  key: number;
  id: string;
  name: string;
  price: string;
  stockLine: string;
  /** One selling point per line. */
  points: string;
  countdownTo?: string;
  lines: LineDraft[];
}

interface Draft {
  segments: SegmentDraft[];
  loops: number;
  variantOrder: 'rotate' | 'random';
  gapMs?: number;
}

const MAX_VARIANTS = 10;

function newLine(texts: string[] = ['']): LineDraft {
  return { key: newKey(), variants: texts.map((text) => ({ key: newKey(), text })), lang: 'auto' };
}

function newSegment(used: string[]): SegmentDraft {
  return { key: newKey(), id: freeId('s', used), name: '', price: '', stockLine: '', points: '', lines: [newLine()] };
}

function fromRundown(r: Rundown | undefined): { draft: Draft; images: Record<number, string> } {
  const images: Record<number, string> = {};
  if (!r) return { draft: { segments: [newSegment([])], loops: 1, variantOrder: 'rotate' }, images };
  const used: string[] = [];
  const segments = r.segments.map((s) => {
    const seg: SegmentDraft = {
      key: newKey(),
      id: s.id ?? freeId('s', used),
      name: s.product.name,
      price: s.product.price ?? '',
      stockLine: s.product.stockLine ?? '',
      points: (s.product.sellingPoints ?? []).join('\n'),
      countdownTo: s.product.countdownTo,
      lines: s.lines.map((l) => ({ ...newLine(l.variants), lang: l.lang ?? 'auto', voice: l.voice })),
    };
    used.push(seg.id);
    if (s.product.imageBase64) images[seg.key] = s.product.imageBase64;
    return seg;
  });
  return { draft: { segments, loops: r.loops ?? 1, variantOrder: r.variantOrder ?? 'rotate', gapMs: r.gapMs }, images };
}

/** The draft as a rundown, or what is missing (a translation key and the segment number). */
function toRundown(d: Draft, images: Record<number, string>): Rundown | { problem: string; segment: number } {
  const segments: Rundown['segments'] = [];
  for (const [i, s] of d.segments.entries()) {
    if (!s.name.trim()) return { problem: 'rdNeedsName', segment: i + 1 };
    const lines: ShowLine[] = s.lines
      .map((l) => ({ variants: l.variants.map((v) => v.text.trim()).filter(Boolean), ...(l.lang !== 'auto' ? { lang: l.lang } : {}), ...(l.voice ? { voice: l.voice } : {}) }))
      .filter((l) => l.variants.length > 0);
    if (!lines.length) return { problem: 'rdNeedsLine', segment: i + 1 };
    const points = s.points.split('\n').map((p) => p.trim()).filter(Boolean).slice(0, 8);
    segments.push({
      id: s.id,
      product: {
        name: s.name.trim(),
        ...(s.price.trim() ? { price: s.price.trim() } : {}),
        ...(points.length ? { sellingPoints: points } : {}),
        ...(s.stockLine.trim() ? { stockLine: s.stockLine.trim() } : {}),
        ...(s.countdownTo ? { countdownTo: s.countdownTo } : {}),
        ...(images[s.key] ? { imageBase64: images[s.key] } : {}),
      },
      lines,
    });
  }
  if (!segments.length) return { problem: 'rdNeedsSegment', segment: 0 };
  return { segments, loops: Math.max(0, Math.floor(d.loops) || 0), variantOrder: d.variantOrder, ...(d.gapMs !== undefined ? { gapMs: d.gapMs } : {}) };
}

export function RundownEditor() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const { run, error, busy, setError } = useAction();
  const [draft, setDraft] = useState<Draft>(() => fromRundown(undefined).draft);
  const [images, setImages] = useState<Record<number, string>>({});
  const [dirty, setDirty] = useState(false);
  const [state, setState] = useState<ShowState>('idle');
  const [position, setPosition] = useState<ShowPosition>({ segment: 0, line: 0, loop: 0 });
  const [playing, setPlaying] = useState<{ kind: 'line' | 'insert'; text: string; id?: string } | undefined>();
  const [loaded, setLoaded] = useState(false);

  const apply = (s: ShowStatus) => {
    setState(s.state);
    setPosition(s.position);
    setPlaying(s.playing && { kind: s.playing.kind, text: s.playing.text, id: s.playing.insertId });
  };

  useLoad(() =>
    run(async () => {
      const s = await client.getShow(sessionId);
      apply(s);
      // A reconnect refreshes the live position but never throws away the operator's edits.
      if (!loaded || !dirty) {
        const { draft: d, images: im } = fromRundown(s.rundown);
        setDraft(d);
        setImages(im);
        setDirty(false);
      }
      setLoaded(true);
    }),
  );
  useEvent('show.state', (d) => {
    setState(d.state);
    setPosition(d.position);
    if (d.state !== 'playing' && d.state !== 'paused') setPlaying(undefined);
  });
  useEvent('show.line', (d) => {
    setPosition({ segment: d.segment, line: d.line, loop: d.loop });
    setPlaying({ kind: 'line', text: d.text });
  });
  useEvent('show.insert', (d) => {
    if (d.state === 'playing') setPlaying({ kind: 'insert', text: d.text, id: d.insertId });
    else if (d.state === 'done' || d.state === 'dropped') setPlaying((p) => (p?.kind === 'insert' && p.id === d.insertId ? undefined : p));
  });
  useEvent('show.ended', () => setPlaying(undefined));

  const edit = (fn: (d: Draft) => Draft) => {
    setDraft((d) => fn(d));
    setDirty(true);
  };
  const editSeg = (i: number, fn: (s: SegmentDraft) => SegmentDraft) => edit((d) => ({ ...d, segments: d.segments.map((s, k) => (k === i ? fn(s) : s)) }));
  const editLine = (i: number, j: number, fn: (l: LineDraft) => LineDraft) => editSeg(i, (s) => ({ ...s, lines: s.lines.map((l, k) => (k === j ? fn(l) : l)) }));

  const save = async (): Promise<boolean> => {
    const r = toRundown(draft, images);
    if ('problem' in r) {
      setError(`${tr(r.problem)}${r.segment ? ` ${r.segment}` : ''}`);
      return false;
    }
    apply(await client.loadRundown(sessionId, r));
    setDirty(false);
    return true;
  };
  const control = (fn: () => Promise<ShowStatus>) => run(async () => apply(await fn()));
  const onAir = state === 'playing' || state === 'paused';

  return (
    <section class="card room-card wide" id="rundown">
      <h2>{tr('rundown')}</h2>
      <div class="row show-controls">
        <button type="button" data-act="save" disabled={busy} onClick={() => run(save)}>
          {tr('rdSave')}
          {dirty ? ' •' : ''}
        </button>
        <button type="button" data-act="start" disabled={busy} onClick={() => run(async () => (!dirty || (await save())) && apply(await client.startShow(sessionId)))}>
          ▶ {tr('rdStart')}
        </button>
        <button type="button" data-act="pause" disabled={state !== 'playing'} onClick={() => control(() => client.pauseShow(sessionId))}>
          {tr('rdPause')}
        </button>
        <button type="button" data-act="resume" disabled={state !== 'paused'} onClick={() => control(() => client.resumeShow(sessionId))}>
          {tr('rdResume')}
        </button>
        <button type="button" data-act="skip" disabled={!onAir} onClick={() => control(() => client.skipLine(sessionId))}>
          {tr('rdSkip')}
        </button>
        <button type="button" data-act="stop" disabled={state === 'idle'} onClick={() => control(() => client.stopShow(sessionId))}>
          {tr('rdStop')}
        </button>
        <label>
          {tr('rdLoops')}{' '}
          <input name="loops" type="number" min="0" max="10000" size={5} value={draft.loops} onInput={(e) => edit((d) => ({ ...d, loops: Number(e.currentTarget.value) }))} />
        </label>
        <span class="note">{tr('rdLoopsHint')}</span>
        <label>
          {tr('rdVariantOrder')}{' '}
          <select name="variantOrder" value={draft.variantOrder} onChange={(e) => edit((d) => ({ ...d, variantOrder: e.currentTarget.value as Draft['variantOrder'] }))}>
            <option value="rotate">{tr('rdRotate')}</option>
            <option value="random">{tr('rdRandom')}</option>
          </select>
        </label>
      </div>
      <p class="show-status" data-state={state}>
        <b class={`badge state-${state}`}>{tr(`show_${state}`)}</b>{' '}
        {onAir && (
          <span class="position">
            {tr('rdSegment')} {position.segment + 1}/{draft.segments.length} · {tr('rdLine')} {position.line + 1} · {tr('rdPass')} {position.loop + 1}
          </span>
        )}
        {playing && (
          <span class="now-playing">
            {' '}
            — {playing.kind === 'insert' ? `${tr('rdInsertOnAir')}: ` : ''}“{playing.text}”
          </span>
        )}
        {dirty && <span class="note"> ({tr('rdUnsaved')})</span>}
      </p>
      {error && <p class="error">{error}</p>}
      <ol class="segments">
        {draft.segments.map((seg, i) => {
          const live = onAir && position.segment === i;
          return (
            <li key={seg.key} class={`segment${live ? ' live' : ''}`} data-index={i} data-id={seg.id}>
              <div class="row">
                <b class="seg-no">{i + 1}</b>
                <span class="mono">{seg.id}</span>
                <input name="name" placeholder={tr('product')} value={seg.name} onInput={(e) => editSeg(i, (s) => ({ ...s, name: e.currentTarget.value }))} />
                <input name="price" size={8} placeholder={tr('price')} value={seg.price} onInput={(e) => editSeg(i, (s) => ({ ...s, price: e.currentTarget.value }))} />
                <input name="stockLine" placeholder={tr('rdStockLine')} value={seg.stockLine} onInput={(e) => editSeg(i, (s) => ({ ...s, stockLine: e.currentTarget.value }))} />
                <label class="file">
                  <span>{tr('uploadImage')}</span>
                  <input
                    name="image"
                    type="file"
                    accept="image/png,image/jpeg,image/webp"
                    onChange={(e) => {
                      const file = e.currentTarget.files?.[0];
                      if (file) void run(async () => {
                        const b64 = await readBase64(file);
                        setImages((im) => ({ ...im, [seg.key]: b64 }));
                        setDirty(true);
                      });
                    }}
                  />
                </label>
                {images[seg.key] && (
                  <span class="thumb">
                    <img alt="" src={`data:image/png;base64,${images[seg.key]}`} />
                    <button type="button" title={tr('remove')} onClick={() => (setImages(({ [seg.key]: _, ...rest }) => rest), setDirty(true))}>
                      ✕
                    </button>
                  </span>
                )}
                <span class="spacer" />
                <button type="button" data-act="jump" title={tr('rdJumpHint')} disabled={!onAir || dirty} onClick={() => control(() => client.jumpToSegment(sessionId, seg.id))}>
                  ⤷ {tr('rdJump')}
                </button>
                <button type="button" data-act="segUp" title="↑" onClick={() => edit((d) => ({ ...d, segments: moved(d.segments, i, i - 1) }))}>
                  ↑
                </button>
                <button type="button" data-act="segDown" title="↓" onClick={() => edit((d) => ({ ...d, segments: moved(d.segments, i, i + 1) }))}>
                  ↓
                </button>
                <button type="button" data-act="segRemove" title={tr('remove')} disabled={draft.segments.length < 2} onClick={() => edit((d) => ({ ...d, segments: d.segments.filter((_, k) => k !== i) }))}>
                  ✕
                </button>
              </div>
              <textarea name="points" rows={2} placeholder={tr('rdPoints')} value={seg.points} onInput={(e) => editSeg(i, (s) => ({ ...s, points: e.currentTarget.value }))} />
              <ol class="lines">
                {seg.lines.map((line, j) => (
                  <li key={line.key} class={`line${live && position.line === j ? ' live' : ''}`} data-index={j}>
                    <div class="variants">
                      {line.variants.map((v, k) => (
                        <div class="variant" key={v.key}>
                          <span class="note">{String.fromCharCode(97 + k)}</span>
                          <input
                            name="variant"
                            placeholder={tr('rdVariant')}
                            value={v.text}
                            onInput={(e) => editLine(i, j, (l) => ({ ...l, variants: l.variants.map((x, m) => (m === k ? { ...x, text: e.currentTarget.value } : x)) }))}
                          />
                          <button type="button" data-act="variantRemove" title={tr('remove')} disabled={line.variants.length < 2} onClick={() => editLine(i, j, (l) => ({ ...l, variants: l.variants.filter((_, m) => m !== k) }))}>
                            ✕
                          </button>
                        </div>
                      ))}
                      <button type="button" data-act="addVariant" disabled={line.variants.length >= MAX_VARIANTS} onClick={() => editLine(i, j, (l) => ({ ...l, variants: [...l.variants, { key: newKey(), text: '' }] }))}>
                        + {tr('rdAddVariant')}
                      </button>
                    </div>
                    <div class="line-tools">
                      <select name="lang" value={line.lang} onChange={(e) => editLine(i, j, (l) => ({ ...l, lang: e.currentTarget.value as LineDraft['lang'] }))}>
                        <option value="auto">auto</option>
                        <option value="en">English</option>
                        <option value="zh">中文</option>
                      </select>
                      <button type="button" data-act="lineUp" onClick={() => editSeg(i, (s) => ({ ...s, lines: moved(s.lines, j, j - 1) }))}>
                        ↑
                      </button>
                      <button type="button" data-act="lineDown" onClick={() => editSeg(i, (s) => ({ ...s, lines: moved(s.lines, j, j + 1) }))}>
                        ↓
                      </button>
                      <button type="button" data-act="lineRemove" title={tr('remove')} disabled={seg.lines.length < 2} onClick={() => editSeg(i, (s) => ({ ...s, lines: s.lines.filter((_, m) => m !== j) }))}>
                        ✕
                      </button>
                    </div>
                  </li>
                ))}
              </ol>
              <button type="button" data-act="addLine" onClick={() => editSeg(i, (s) => ({ ...s, lines: [...s.lines, newLine()] }))}>
                + {tr('rdAddLine')}
              </button>
            </li>
          );
        })}
      </ol>
      <button type="button" data-act="addSegment" onClick={() => edit((d) => ({ ...d, segments: [...d.segments, newSegment(d.segments.map((s) => s.id))] }))}>
        + {tr('rdAddSegment')}
      </button>
    </section>
  );
}
