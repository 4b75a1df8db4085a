/**
 * When documents are validated. There is no fixed delay: a document is validated as soon as
 * the previous validation is done. A burst of edits is folded into one validation, because
 * validation waits while edits that have arrived are still queued (the transport counts
 * them), and it always validates a document's latest version; a version that was overtaken
 * is never published.
 */
export class ValidationQueue {
  /** Documents to validate, the most recently changed last. */
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly validate: (uri: string) => void,
    /** Edits received from the client and not applied yet. */
    private readonly pendingEdits: () => number = () => 0,
    /** A validation failed: reported, and the queue goes on with the next document. */
    private readonly onError: (error: unknown, uri: string) => void = () => undefined,
  ) {}

  add(uri: string): void {
    this.dirty.delete(uri);
    this.dirty.add(uri);
    this.kick();
  }

  delete(uri: string): void {
    this.dirty.delete(uri);
  }

  /** Called after an edit is applied: validation can go on when it was the last one queued. */
  kick(): void {
    if (this.scheduled || this.disposed || this.dirty.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.disposed || this.pendingEdits() > 0) return;
    // One document per turn, so that requests waiting in the queue are answered in between.
    const uri = [...this.dirty].pop();
    if (uri === undefined) return;
    this.dirty.delete(uri);
    try {
      this.validate(uri);
    } catch (error) {
      this.onError(error, uri);
    }
    this.kick();
  }

  dispose(): void {
    this.disposed = true;
    this.dirty.clear();
  }
}
