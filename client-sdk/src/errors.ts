/** Every failure the SDK reports: `status` is the HTTP status (0 for transport-level failures). */
export class OnAirError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'OnAirError';
    this.status = status;
  }
}
