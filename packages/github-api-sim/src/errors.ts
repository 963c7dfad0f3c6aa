/*
 * GitHub's error bodies: `{ message, documentation_url, status }`, plus `errors: [...]` on validation failures.
 */

export const DOCS = 'https://docs.github.com/rest';

export interface ValidationErrorItem {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly opts: {
      documentationUrl?: string;
      errors?: ValidationErrorItem[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.opts.errors ? { errors: this.opts.errors } : {}),
      documentation_url: this.opts.documentationUrl ?? DOCS,
      status: String(this.status),
    };
  }
}

export const notFound = () => new ApiError(404, 'Not Found');

/** 422 with the top-level message GitHub uses for these cases (no `errors` array). */
export const unprocessable = (message: string, documentationUrl?: string) =>
  new ApiError(422, message, { documentationUrl });

/** 422 "Validation Failed" with GitHub's `errors` entries. */
export const validationFailed = (
  errors: ValidationErrorItem[],
  documentationUrl?: string,
) => new ApiError(422, 'Validation Failed', { errors, documentationUrl });

export const badRequest = (message: string) => new ApiError(400, message);
