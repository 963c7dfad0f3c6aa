/** A `meta.k8s.io/v1` Status as the apiserver sends it. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: Array<{ reason?: string; message: string; field?: string }>;
  };
  code?: number;
}

/** An error that the HTTP layer turns into a Status response with `code`. */
export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message);
    this.name = 'ApiError';
  }
  get code(): number {
    return this.status.code ?? 500;
  }
}

/** The group/resource pair the apiserver names in its messages (`plural.group`, or `plural` for the core group). */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(
  gr: GroupResource | undefined,
  name: string | undefined,
): StatusBody['details'] {
  const d: NonNullable<StatusBody['details']> = {};
  if (name) d.name = name;
  if (gr?.group) d.group = gr.group;
  // The apiserver puts the resource (plural) into details.kind.
  if (gr) d.kind = gr.resource;
  return d;
}

function failure(
  code: number,
  reason: string,
  message: string,
  det?: StatusBody['details'],
): ApiError {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(det !== undefined ? { details: det } : {}),
    code,
  };
  return new ApiError(body);
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    failure(
      404,
      'NotFound',
      `${qualified(gr)} "${name}" not found`,
      details(gr, name),
    ),
  /** What the apiserver answers for a path it does not serve (unknown group, version or resource). */
  pathNotFound: () =>
    failure(
      404,
      'NotFound',
      'the server could not find the requested resource',
      {},
    ),
  alreadyExists: (gr: GroupResource, name: string) =>
    failure(
      409,
      'AlreadyExists',
      `${qualified(gr)} "${name}" already exists`,
      details(gr, name),
    ),
  conflict: (gr: GroupResource, name: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(
        gr,
      )} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      details(gr, name),
    ),
  forbidden: (gr: GroupResource, name: string | undefined, reason: string) =>
    failure(
      403,
      'Forbidden',
      name
        ? `${qualified(gr)} "${name}" is forbidden: ${reason}`
        : `${qualified(gr)} is forbidden: ${reason}`,
      details(gr, name),
    ),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  expired: (message: string) => failure(410, 'Expired', message),
  internal: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    }),
  methodNotAllowed: () =>
    failure(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
      {},
    ),
  unsupportedMediaType: (accepted: string[]) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
        ', ',
      )}`,
      {},
    ),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  /** A patch that cannot be applied: the apiserver answers 422 without naming the object. */
  invalidPatch: (message: string) => failure(422, 'Invalid', message, {}),
  /** 422 Invalid; `kind` is the Kind (not the resource), qualified by the group as the apiserver does. */
  invalid: (
    kind: string,
    group: string,
    name: string,
    causes: Array<{ field: string; reason: string; message: string }>,
  ) => {
    const listed = causes.map(c => `${c.field}: ${c.message}`);
    return failure(
      422,
      'Invalid',
      `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${
        listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`
      }`,
      {
        ...(name ? { name } : {}),
        ...(group ? { group } : {}),
        kind,
        causes: causes.map(c => ({
          reason: c.reason,
          message: c.message,
          field: c.field,
        })),
      },
    );
  },
};

/** The Status the apiserver sends on a successful delete of resources that do not return the deleted object. */
export function deleteSuccess(
  gr: GroupResource,
  name: string,
  uid: string | undefined,
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name,
      ...(gr.group ? { group: gr.group } : {}),
      kind: gr.resource,
      ...(uid ? { uid } : {}),
    },
  };
}
