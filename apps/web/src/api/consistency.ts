/**
 * Read-your-writes across screens: every accepted command returns the stream sequence its
 * events landed at, and every later read asks the services to have caught up to at least that.
 */
export class ConsistencyToken {
  private seq = 0;

  get minSeq(): number {
    return this.seq;
  }

  observe(seq: number): void {
    if (Number.isSafeInteger(seq) && seq > this.seq) this.seq = seq;
  }
}

export const consistency = new ConsistencyToken();
