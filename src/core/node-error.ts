// Errors of the node's commands: each says what to do instead.
export class NodeError extends Error {
  readonly code: 'not-started' | 'unknown-peer' | 'ambiguous-peer' | 'invalid' | 'not-in-room';
  constructor(code: NodeError['code'], message: string) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
  }
}
