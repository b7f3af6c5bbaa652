/** An error the user can act on: what went wrong, where, and what to do. Shown without a stack trace. */
export class SpecError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'SpecError';
  }

  /** `file:line: message`, the form editors and terminals turn into links. */
  override toString(): string {
    return `${this.file}${this.line ? `:${this.line}` : ''}: ${this.message}`;
  }
}
