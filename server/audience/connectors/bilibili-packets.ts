// Bilibili live long-connection packet format (the same framing for the web danmaku servers and
// the open platform): a 16-byte big-endian header — packet_len u32, header_len u16, ver u16,
// op u32, seq u32 — then the body. Several packets may share one WebSocket message, and a packet
// with ver 2 (zlib) or ver 3 (brotli) carries a compressed run of further packets.
// Reference: xfgryujk/blivedm blivedm/clients/ws_base.py, https://open-live.bilibili.com/document/
import { brotliDecompressSync, inflateSync } from 'node:zlib';

export const HEADER_SIZE = 16;

/** Operation codes (go-common broadcast model/operation.go, as listed by blivedm). */
export const Op = {
  HEARTBEAT: 2,
  HEARTBEAT_REPLY: 3,
  /** A business message: JSON `{cmd, data}` (or a compressed batch of them). */
  SEND_MSG_REPLY: 5,
  AUTH: 7,
  AUTH_REPLY: 8,
} as const;

/** Body encodings (WS_BODY_PROTOCOL_VERSION). */
export const Ver = {
  NORMAL: 0,
  HEARTBEAT: 1,
  DEFLATE: 2,
  BROTLI: 3,
} as const;

export interface Packet {
  op: number;
  ver: number;
  seq: number;
  body: Buffer;
}

export function encodePacket(op: number, body: string | Uint8Array = '', ver: number = Ver.NORMAL, seq = 1): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32BE(HEADER_SIZE + payload.length, 0);
  header.writeUInt16BE(HEADER_SIZE, 4);
  header.writeUInt16BE(ver, 6);
  header.writeUInt32BE(op, 8);
  header.writeUInt32BE(seq, 12);
  return Buffer.concat([header, payload]);
}

/** Cap on nested compressed batches, so a hostile payload can't recurse without end. */
const MAX_DEPTH = 4;

/**
 * Splits a WebSocket message into packets, expanding compressed batches in place (their packets
 * take the batch's position, so order is preserved). Trailing bytes too short for a header, or a
 * header whose lengths don't add up, end the parse: the server's heartbeat reply is known to
 * carry bytes beyond its packet_len (blivedm notes it), which must not be read as a packet.
 */
export function decodePackets(buf: Uint8Array, depth = 0): Packet[] {
  const data = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Packet[] = [];
  let offset = 0;
  while (data.length - offset >= HEADER_SIZE) {
    const packetLen = data.readUInt32BE(offset);
    const headerLen = data.readUInt16BE(offset + 4);
    const ver = data.readUInt16BE(offset + 6);
    const op = data.readUInt32BE(offset + 8);
    const seq = data.readUInt32BE(offset + 12);
    if (headerLen < HEADER_SIZE || packetLen < headerLen || offset + packetLen > data.length) break;
    const body = data.subarray(offset + headerLen, offset + packetLen);
    offset += packetLen;
    if (op === Op.SEND_MSG_REPLY && (ver === Ver.DEFLATE || ver === Ver.BROTLI)) {
      if (depth >= MAX_DEPTH) throw new Error('bilibili packet: compressed batches nested too deep');
      const inner = ver === Ver.DEFLATE ? inflateSync(body) : brotliDecompressSync(body);
      out.push(...decodePackets(inner, depth + 1));
      continue;
    }
    out.push({ op, ver, seq, body });
  }
  return out;
}
