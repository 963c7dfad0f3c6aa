import { ResponseError } from '@backstage/errors';

/** An error for people: a backend answer's own message when it sent one (ResponseError's message is only the status line). */
export function errorMessage(error: Error): string {
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const inner = (error as ResponseError).body?.error?.message;
    if (inner) return `${error.message}: ${inner}`;
  }
  return error.message;
}
