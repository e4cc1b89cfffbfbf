import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { VideoFormat } from '../pipeline/core/media.ts';
import { loadHttpVoices, type HttpVoiceConfig } from '../pipeline/stages/tts/http/http-voice-config.ts';
import { DEFAULT_VOICE_MODEL } from '../pipeline/stages/lipsync/onnx-voice-mouth.ts';

export interface RtcConfig {
  /** Local IP the viewer transports bind to. */
  listenIp: string;
  /** Public IP or hostname given to viewers behind NAT (ICE candidate address). */
  announcedAddress?: string;
  minPort: number;
  maxPort: number;
}

export interface Config {
  host: string;
  port: number;
  apiKey: string;
  /** True when no ONAIR_API_KEY was set and one was generated for this run. */
  apiKeyGenerated: boolean;
  redisUrl?: string;
  workers: number;
  /** Live sessions this server accepts before answering 429 (each needs ~0.35–0.55 core). */
  maxSessions: number;
  rtc: RtcConfig;
  video: VideoFormat;
  logLevel: string;
  /** JSON-lines file recording everything the presenter was made to say. */
  auditLog: string;
  /** Audit entries are kept at least this many days (Redis stream trimming; files are never trimmed). */
  auditRetentionDays: number;
  /** Who produces the content, in the AIGC implicit label (ContentProducer). */
  provider: string;
  /** The provider's 16-bit number in the invisible watermark (default: a hash of `provider`). */
  providerCode?: number;
  /** Burn a frame-number strip into presenter frames (ONAIR_TIMECODE=1; for measurement and tests). */
  timecode: boolean;
  recordings: { dir: string; maxBytes: number; maxTotalBytes: number; retentionDays: number; always: boolean };
  /** C2PA signing of recordings: PEM certificate chain (leaf first) and private key files. */
  c2pa: { certFile?: string; keyFile?: string };
  /** Folder of Piper voices (NAME.onnx + NAME.onnx.json), used as voice "piper:NAME". */
  piperDir?: string;
  /** Folder of sherpa-onnx voices (NAME/voice.json + model files), used as voice "local:NAME". */
  localVoicesDir?: string;
  localVoiceThreads: number;
  /** The presenter's own voices: consent, takes, datasets and imported models. */
  customVoiceDir: string;
  /** Speech-server voices (OpenAI-compatible, CosyVoice, GPT-SoVITS) from ONAIR_VOICES_FILE. */
  httpVoices: HttpVoiceConfig[];
  /** The operator-voice audio→viseme ONNX model. */
  voiceModel: string;
  /** Real-person avatar enrollment: uploads and built packs live here, one folder per avatar. */
  avatarDir: string;
  /** Largest enrollment video accepted, bytes (413 beyond it). */
  avatarMaxBytes: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const apiKey = env.ONAIR_API_KEY || randomBytes(24).toString('base64url');
  const config: Config = {
    host: env.HOST || '0.0.0.0',
    port: int(env, 'PORT', 8080),
    apiKey,
    apiKeyGenerated: !env.ONAIR_API_KEY,
    redisUrl: env.REDIS_URL || undefined,
    workers: int(env, 'ONAIR_WORKERS', os.availableParallelism()),
    maxSessions: int(env, 'ONAIR_MAX_SESSIONS', 2 * os.availableParallelism()),
    rtc: {
      listenIp: env.RTC_LISTEN_IP || '0.0.0.0',
      announcedAddress: env.RTC_ANNOUNCED_ADDRESS || (env.RTC_LISTEN_IP ? undefined : '127.0.0.1'),
      minPort: int(env, 'RTC_MIN_PORT', 40000),
      maxPort: int(env, 'RTC_MAX_PORT', 49999),
    },
    video: {
      width: int(env, 'ONAIR_VIDEO_WIDTH', 1280),
      height: int(env, 'ONAIR_VIDEO_HEIGHT', 720),
      fps: int(env, 'ONAIR_VIDEO_FPS', 25),
    },
    logLevel: env.LOG_LEVEL || 'info',
    auditLog: env.ONAIR_AUDIT_LOG || '.onair/audit.log',
    auditRetentionDays: int(env, 'ONAIR_AUDIT_RETENTION_DAYS', 183),
    provider: env.ONAIR_PROVIDER_ID || 'OnAir',
    providerCode: env.ONAIR_PROVIDER_CODE ? int(env, 'ONAIR_PROVIDER_CODE', 0) : undefined,
    timecode: env.ONAIR_TIMECODE === '1',
    recordings: {
      dir: env.ONAIR_RECORDINGS_DIR || '.onair/recordings',
      maxBytes: int(env, 'ONAIR_RECORDING_MAX_BYTES', 4 * 1024 ** 3),
      maxTotalBytes: int(env, 'ONAIR_RECORDINGS_MAX_TOTAL_BYTES', 50 * 1024 ** 3),
      retentionDays: int(env, 'ONAIR_RECORDINGS_RETENTION_DAYS', 183),
      always: env.ONAIR_ALWAYS_RECORD === '1' || env.ONAIR_ALWAYS_RECORD === 'true',
    },
    c2pa: { certFile: env.ONAIR_C2PA_CERT || undefined, keyFile: env.ONAIR_C2PA_KEY || undefined },
    piperDir: env.ONAIR_PIPER_DIR || undefined,
    localVoicesDir: env.ONAIR_LOCAL_VOICES_DIR || undefined,
    customVoiceDir: env.ONAIR_VOICE_DIR || '.onair/voices',
    localVoiceThreads: int(env, 'ONAIR_LOCAL_VOICE_THREADS', 1),
    httpVoices: env.ONAIR_VOICES_FILE ? loadHttpVoices(env.ONAIR_VOICES_FILE) : [],
    voiceModel: env.ONAIR_VOICE_MODEL || DEFAULT_VOICE_MODEL,
    avatarDir: env.ONAIR_AVATAR_DIR || '.onair/avatars',
    avatarMaxBytes: int(env, 'ONAIR_AVATAR_MAX_BYTES', 200 * 1024 * 1024),
  };
  if (config.rtc.minPort > config.rtc.maxPort) throw new Error('RTC_MIN_PORT must be <= RTC_MAX_PORT');
  if (config.avatarMaxBytes < 1) throw new Error('ONAIR_AVATAR_MAX_BYTES must be >= 1');
  if (config.auditRetentionDays < 183) throw new Error('ONAIR_AUDIT_RETENTION_DAYS must be >= 183 (logs are kept at least 6 months)');
  if (config.providerCode !== undefined && (config.providerCode < 0 || config.providerCode > 0xffff)) throw new Error('ONAIR_PROVIDER_CODE must be 0–65535');
  if (config.workers < 1) throw new Error('ONAIR_WORKERS must be >= 1');
  return config;
}
