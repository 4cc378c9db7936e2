// A field of a file or drop message that a peer got wrong. The decoders of those message families
// (file-messages.ts, drop-messages.ts) throw it; messages.ts turns it into a ProtocolError
// ('bad-message'). Not ProtocolError itself: messages.ts imports those decoders, not the reverse.
export class MessageFieldError extends Error {
  readonly code = 'bad-message';
  constructor(message: string) {
    super(message);
    this.name = 'MessageFieldError';
  }
}
