/** An error whose message is safe to show the client, with the HTTP status it maps to. */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);
