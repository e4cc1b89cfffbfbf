/**
 * The implicit label GB 45438-2025 Annex E asks for in files and streams: a metadata field named
 * `AIGC` holding JSON with these seven keys, values printable ASCII without spaces, quotes or
 * backslashes. Label "1" = the content is AI-generated.
 */
export interface AigcFields {
  /** Who generated it: the operator's provider id (ONAIR_PROVIDER_ID). */
  ContentProducer: string;
  /** The producer's id for this content: the session id (the audit log is keyed by it). */
  ProduceID: string;
  /** Where it is sent, when known (an RTMP output's host). */
  ContentPropagator?: string;
  /** The propagator's id for it: the output id. */
  PropagateID?: string;
  ReservedCode1?: string;
  ReservedCode2?: string;
}

const clean = (v: string | undefined) => (v ?? '').replace(/[^\x21-\x7e]|["'\\]/g, '').slice(0, 128);

export function aigcJson(f: AigcFields): string {
  return JSON.stringify({
    Label: '1',
    ContentProducer: clean(f.ContentProducer),
    ProduceID: clean(f.ProduceID),
    ReservedCode1: clean(f.ReservedCode1),
    ContentPropagator: clean(f.ContentPropagator),
    PropagateID: clean(f.PropagateID),
    ReservedCode2: clean(f.ReservedCode2),
  });
}

/** FLV onMetaData entries for an RTMP output: `AIGC` traceable to the session (audit log) and output. */
export function aigcOutputMetadata(provider: string) {
  return (sessionId: string, outputId: string, url: string): Record<string, string> => {
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {}
    return { AIGC: aigcJson({ ContentProducer: provider, ProduceID: sessionId, ContentPropagator: host, PropagateID: outputId }) };
  };
}
