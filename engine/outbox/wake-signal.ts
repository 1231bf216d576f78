/**
 * A sleep that can be cut short: the worker waits for the poll interval or
 * until a row is written in this process, whichever comes first. A notify
 * while nobody waits is remembered, so a row written during a round is not
 * left for the next poll.
 */
export class WakeSignal {
  private pending = false;
  private waiter: (() => void) | undefined;

  notify(): void {
    const waiter = this.waiter;
    if (waiter === undefined) {
      this.pending = true;
      return;
    }
    this.waiter = undefined;
    waiter();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.waiter === done) this.waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // A waiting worker must not keep the process alive on its own.
      timer.unref();
      this.waiter = done;
    });
  }
}
