// The panel's UI text in English and Chinese. Elements carry data-i18n="key".
export type UiLang = 'en' | 'zh';

export const TEXT: Record<string, { en: string; zh: string }> = {
  title: { en: 'OnAir operator panel', zh: 'OnAir 主播控制台' },
  apiKey: { en: 'API key', zh: 'API 密钥' },
  connect: { en: 'Connect', zh: '连接' },
  createSession: { en: 'New session', zh: '新建直播' },
  openSession: { en: 'Open', zh: '打开' },
  sessionId: { en: 'Session ID', zh: '会话 ID' },
  preview: { en: 'Live preview', zh: '实时预览' },
  viewers: { en: 'Viewers', zh: '观众' },
  interrupt: { en: 'INTERRUPT (Esc)', zh: '打断 (Esc)' },
  ptt: { en: 'Hold to talk', zh: '按住说话' },
  say: { en: 'Say', zh: '播报' },
  speakNow: { en: 'Speak now', zh: '立即播报' },
  addQueue: { en: 'Add to queue', zh: '加入队列' },
  insertNext: { en: 'Insert next', zh: '插到下一条' },
  language: { en: 'Language', zh: '语言' },
  script: { en: 'Script', zh: '脚本' },
  addLine: { en: 'Add line', zh: '添加一行' },
  playScript: { en: 'Play script', zh: '播放脚本' },
  stopScript: { en: 'Stop script', zh: '停止脚本' },
  loop: { en: 'Loop', zh: '循环' },
  scene: { en: 'Scene', zh: '场景' },
  background: { en: 'Background', zh: '背景' },
  applyColor: { en: 'Apply colour', zh: '应用颜色' },
  studio: { en: 'Studio', zh: '演播室' },
  uploadImage: { en: 'Image…', zh: '图片…' },
  overlays: { en: 'Overlays', zh: '叠加层' },
  product: { en: 'Product', zh: '商品名' },
  price: { en: 'Price', zh: '价格' },
  addOverlay: { en: 'Add product card', zh: '添加商品卡片' },
  imageOverlay: { en: 'Image overlay…', zh: '图片叠加…' },
  labelPos: { en: 'AI label position', zh: 'AI 标识位置' },
  captions: { en: 'Captions', zh: '字幕' },
  outputs: { en: 'RTMP outputs', zh: 'RTMP 推流' },
  addOutput: { en: 'Add output', zh: '添加推流' },
  remove: { en: 'Remove', zh: '移除' },
  events: { en: 'Event log', zh: '事件日志' },
  watchLink: { en: 'Viewer page', zh: '观看页' },
  embed: { en: 'Embed', zh: '嵌入代码' },
  disclosure: { en: 'Viewers see an "AI presenter" label on every frame.', zh: '每一帧都带有"AI主播"标识。' },
};

export function t(key: string, lang: UiLang): string {
  return TEXT[key]?.[lang] ?? key;
}

export function applyLanguage(root: ParentNode, lang: UiLang): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n!, lang);
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-placeholder]')) {
    (el as HTMLInputElement).placeholder = t(el.dataset.i18nPlaceholder!, lang);
  }
}
