import type { VideoFormat } from '../../pipeline/core/media.ts';

export interface RtmpEncodeSettings {
  videoKbps: number;
  audioKbps: number;
  preset: string;
}

export const DEFAULT_RTMP_SETTINGS: RtmpEncodeSettings = { videoKbps: 3000, audioKbps: 128, preset: 'veryfast' };

/**
 * ffmpeg arguments for an RTMP push that platforms accept (Twitch/YouTube ingest spec): H.264 Main
 * yuv420p, keyframe exactly every 2 s, CBR, no B-frames; AAC-LC 48 kHz stereo. Raw I420 frames
 * come on stdin and mono s16le PCM on fd 3; both are counted by ffmpeg from zero, which keeps them
 * in sync because the pacer writes them in lockstep.
 */
export function rtmpFfmpegArgs(video: VideoFormat, url: string, s: RtmpEncodeSettings = DEFAULT_RTMP_SETTINGS, metadata: Record<string, string> = {}): string[] {
  return [
    ...encodeArgs(video, s),
    '-progress', 'pipe:1',
    // Stream-level metadata (the AIGC implicit label) lands in FLV onMetaData.
    ...Object.entries(metadata).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]),
    '-f', 'flv', url,
  ];
}

/**
 * A recording: the same encode as RTMP into fragmented MP4 (every fragment is playable, so a crash
 * loses seconds, not the file), metadata as `mdta` tags (`use_metadata_tags` keeps custom keys).
 */
export function recordingFfmpegArgs(video: VideoFormat, file: string, metadata: Record<string, string> = {}, s: RtmpEncodeSettings = DEFAULT_RTMP_SETTINGS): string[] {
  return [
    ...encodeArgs(video, s),
    '-progress', 'pipe:1',
    ...Object.entries(metadata).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]),
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+use_metadata_tags',
    '-f', 'mp4', file,
  ];
}

/** Raw I420 on stdin and mono s16le PCM on fd 3 → H.264 Main + AAC-LC, the platforms' ingest spec. */
function encodeArgs(video: VideoFormat, s: RtmpEncodeSettings): string[] {
  const gop = String(video.fps * 2);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${video.width}x${video.height}`, '-r', String(video.fps),
    '-thread_queue_size', '64', '-i', 'pipe:0',
    '-f', 's16le', '-ar', '48000', '-ac', '1', '-thread_queue_size', '512', '-i', 'pipe:3',
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', s.preset, '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-b:v', `${s.videoKbps}k`, '-maxrate', `${s.videoKbps}k`, '-bufsize', `${s.videoKbps * 2}k`,
    '-x264-params', 'nal-hrd=cbr:force-cfr=1', '-bf', '0',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', `${s.audioKbps}k`, '-ar', '48000', '-ac', '2',
  ];
}
