// Domain errors. Services throw these and know nothing of HTTP; src/http/error-mapper.ts is the one
// place that turns them into status codes and JSON bodies.

export interface FieldProblem {
  field: string;
  message: string;
}

export abstract class PhantomError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends PhantomError {
  readonly code = 'not_found';
}

export class Conflict extends PhantomError {
  readonly code = 'conflict';
}

/** Bad input. `problems` names each offending field. */
export class Invalid extends PhantomError {
  readonly code = 'invalid_request';
  constructor(message: string, readonly problems: FieldProblem[] = []) {
    super(message);
  }
}

export class Unauthorized extends PhantomError {
  readonly code = 'unauthorized';
}

/** A known path asked with a method it does not serve. */
export class MethodNotAllowed extends PhantomError {
  readonly code = 'method_not_allowed';
}

export class TooManyRequests extends PhantomError {
  readonly code = 'too_many_requests';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

export type CloudErrorClass =
  | 'OutOfCapacity'
  | 'QuotaExceeded'
  | 'RateLimited'
  | 'AuthFailed'
  | 'InvalidRequest'
  | 'Transient'
  | 'Unknown';

/** A failure reported by (or while talking to) a cloud, classified so the engine can react. */
export class CloudError extends PhantomError {
  readonly code = 'cloud_error';
  constructor(
    readonly errorClass: CloudErrorClass,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
