/** One entry of FastAPI's validation body. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/**
 * A request failed declared validation: answered 422 with FastAPI's body
 * `{"detail": [{type, loc, msg, input}]}`, which Authly's clients parse.
 */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
    this.issues = issues;
  }
}

/** A required field is absent: FastAPI's `missing` issue. */
export function missingField(location: 'body' | 'query', name: string): ValidationIssue {
  return { type: 'missing', loc: [location, name], msg: 'Field required', input: null };
}
