// How long the page's main thread was kept busy while something ran, seen three ways:
// - the browser's own Long Tasks API (PerformanceObserver 'longtask'; it reports tasks ≥ 50 ms);
// - a heartbeat: a chain of `scheduler.postTask(beat, {priority: 'user-blocking', delay: 1})`
//   that notes the longest gap between two beats. A task that runs while a beat is due delays
//   it, so the longest gap, less the 1 ms the chain waits on purpose, bounds the longest task
//   (and the microtasks after it) from above. User-blocking, because work that yields with
//   scheduler.yield() is continued before ordinary tasks: an ordinary-priority heartbeat would
//   not get a turn between its slices, where input (which is user-blocking) does;
// - (Cotab) the Recorder's own account of its slices (customer-cotab.mjs).

/** The heartbeat's pause between beats. */
export const HEARTBEAT_DELAY_MS = 1;

/**
 * @typedef {(cb: () => void, opts: {priority: 'user-blocking', delay: number}) => Promise<void>} PostTask
 */

/** @returns {PostTask | null} scheduler.postTask when the browser has it */
function postTaskOf() {
  const scheduler = Reflect.get(globalThis, 'scheduler');
  const postTask = scheduler ? Reflect.get(scheduler, 'postTask') : undefined;
  return typeof postTask === 'function' ? (cb, opts) => Reflect.apply(postTask, scheduler, [cb, opts]) : null;
}

export class MainThreadMonitor {
  constructor() {
    /** @type {PerformanceEntry[]} */
    this.longTasks = [];
    /** @type {[number, number][]} gaps over 2 ms between beats: [start, length] */
    this.gaps = [];
    this.beating = false;
    this.lastBeat = 0;
    this.postTask = postTaskOf();
    this.observer = new PerformanceObserver((list) => {
      this.longTasks.push(...list.getEntries());
    });
  }

  /** @param {{heartbeat: boolean}} opts */
  start(opts) {
    this.observer.observe({ type: 'longtask', buffered: false });
    this.startedAt = performance.now();
    if (opts.heartbeat) {
      if (!this.postTask) throw new Error('this browser has no scheduler.postTask for the heartbeat');
      this.beating = true;
      this.lastBeat = performance.now();
      this.schedule();
    }
  }

  schedule() {
    void this.postTask?.(() => this.beat(), { priority: 'user-blocking', delay: HEARTBEAT_DELAY_MS });
  }

  beat() {
    const now = performance.now();
    if (now - this.lastBeat > 2 * HEARTBEAT_DELAY_MS) this.gaps.push([this.lastBeat, now - this.lastBeat]);
    this.lastBeat = now;
    if (this.beating) this.schedule();
  }

  /**
   * Stops watching; call after a task has passed since the work ended, so that the long-task
   * entry of its last task has been queued.
   * @param {number} endedAt performance.now() when the work ended
   * @returns {{longestGapMs: number | null, longTasksMs: number[]}} longestGapMs: the longest gap less the heartbeat's own pause
   */
  stop(endedAt) {
    const beat = this.beating;
    this.beating = false;
    this.longTasks.push(...this.observer.takeRecords());
    this.observer.disconnect();
    const from = this.startedAt ?? 0;
    const longTasksMs = this.longTasks
      .filter((e) => e.startTime + e.duration >= from && e.startTime <= endedAt)
      .map((e) => e.duration);
    // Gaps that began before the work ended; the one holding its last task ends after it.
    const gaps = this.gaps.filter(([start]) => start < endedAt).map(([, length]) => length - HEARTBEAT_DELAY_MS);
    return { longestGapMs: beat ? Math.max(0, ...gaps) : null, longTasksMs };
  }
}
