/**
 * The background-job poller started by `startServer`: claims jobs (jobs-store.ts) and runs
 * each with the handler of its kind, a few at a time, so a long key generation does not hold
 * up a signature. `wake()` polls at once (a route that queued a job calls it); otherwise it
 * polls every `pollMs`, which is how a replica picks up work queued by another one. A handler
 * that throws fails its job; a handler records its own domain outcome (e.g. a vault's status).
 * `stop()` stops polling and waits for running jobs to finish.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../store/database.js';
import { claimJob, finishJob, takeExhaustedJobs, type ClaimedJob } from './jobs-store.js';

export interface JobHandler {
  /** Does the work; resolves when the subject's outcome is recorded. */
  run(job: ClaimedJob): Promise<void>;
  /** The job ran out of attempts (its replicas died): record the subject as failed. */
  giveUp(job: ClaimedJob): Promise<void>;
}

export interface JobRunnerOptions {
  readonly db: Database;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly logger: Logger;
  readonly pollMs?: number;
  /** Longer than any job runs; a job whose lease expires is taken over by another replica. */
  readonly leaseMs?: number;
  readonly concurrency?: number;
}

export class JobRunner {
  readonly worker = `worker-${randomBytes(6).toString('hex')}`;
  readonly #running = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #poll: Promise<void> | undefined;
  #polling = false;
  #again = false;
  #stopped = false;

  constructor(private readonly opts: JobRunnerOptions) {}

  start(): void {
    this.#schedule();
    this.wake();
  }

  /** Polls now (after the current poll, if one is running). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#poll = this.#pollOnce();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#poll; // a claim in progress ends in `#running` before we wait for it
    await Promise.allSettled([...this.#running]);
  }

  #schedule(): void {
    this.#timer = setInterval(() => this.wake(), this.opts.pollMs ?? 1_000);
    this.#timer.unref();
  }

  async #pollOnce(): Promise<void> {
    this.#polling = true;
    try {
      do {
        this.#again = false;
        for (const job of await takeExhaustedJobs(this.opts.db)) {
          await this.#handler(job)?.giveUp(job);
        }
        while (!this.#stopped && this.#running.size < (this.opts.concurrency ?? 4)) {
          const job = await claimJob(this.opts.db, this.worker, this.opts.leaseMs ?? 600_000);
          if (!job) break;
          const task = this.#run(job).finally(() => {
            this.#running.delete(task);
            this.wake();
          });
          this.#running.add(task);
        }
      } while (this.#again && !this.#stopped);
    } catch (error) {
      this.opts.logger.error({ err: error }, 'job poll failed');
    } finally {
      this.#polling = false;
    }
  }

  #handler(job: ClaimedJob): JobHandler | undefined {
    return this.opts.handlers[job.kind];
  }

  async #run(job: ClaimedJob): Promise<void> {
    const log = this.opts.logger.child({ job: job.id, kind: job.kind, subject: job.subject });
    const handler = this.#handler(job);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler.run(job);
      await finishJob(this.opts.db, job.id, this.worker, { status: 'done' });
    } catch (error) {
      log.error({ err: error }, 'job failed');
      const message = error instanceof Error ? error.message : String(error);
      await finishJob(this.opts.db, job.id, this.worker, {
        status: 'failed',
        error: message,
      }).catch(() => undefined);
    }
  }
}
