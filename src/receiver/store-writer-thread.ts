import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import {
  type BatchOutcome,
  createBatchCommitter,
  type DeliveryRoute,
  type FromWriter,
  type InsertJob,
  runWriterThread,
  type ToWriter,
  type UpdateParams,
  type WriterSql,
  type WriterThreadData,
} from "./store-writer.js";

/** Where the store's commits happen: a thread of their own, or the caller's thread. */
export interface Writer {
  send(jobs: InsertJob[]): void;
  setRoutes(routes: DeliveryRoute[]): void;
  /** BatchCommitter.update, where the commits happen. */
  update(sql: string, params: UpdateParams): Promise<number>;
  /** Commits everything sent, then stops. */
  close(): Promise<void>;
}

export interface WriterEvents {
  /** Outcomes of the jobs sent, in the order they were sent (one call may cover several sends). */
  committed(outcome: BatchOutcome): void;
  /** The writer thread stopped: nothing sent and not yet committed will be. */
  failed(error: Error): void;
}

/**
 * The writer thread's script: the two functions from their source text, so that it runs the
 * same code from dist/ and from the TypeScript sources (see store-writer.ts).
 */
const WRITER_SCRIPT = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
(${runWriterThread.toString()})(parentPort, workerData, require, ${createBatchCommitter.toString()});
`;

/**
 * Commits on a thread of its own, so that waiting for the disk (about 2 ms per fsync) or for
 * another process's write lock never holds the event loop. The thread keeps the process alive
 * only while it has jobs to commit.
 */
export function startWriterThread(
  data: Omit<WriterThreadData, "sqliteModule">,
  events: WriterEvents,
): Writer {
  const workerData: WriterThreadData = {
    ...data,
    sqliteModule: createRequire(import.meta.url).resolve("better-sqlite3"),
  };
  const worker = new Worker(WRITER_SCRIPT, { eval: true, workerData });
  let outstanding = 0;
  let stopped = false;
  let failure: Error | undefined;
  let closed: (() => void) | undefined;
  const updates: Array<{ resolve: (changes: number) => void; reject: (error: Error) => void }> = [];
  const post = (message: ToWriter): void => worker.postMessage(message);
  /** The thread keeps the process alive while it has work: jobs to commit, updates to run. */
  const busy = (delta: number): void => {
    if (outstanding === 0 && delta > 0) worker.ref();
    outstanding += delta;
    if (outstanding === 0) worker.unref();
  };
  const stop = (error: Error): void => {
    if (stopped) return;
    stopped = true;
    failure = error;
    closed?.();
    for (const waiter of updates.splice(0)) waiter.reject(error);
    events.failed(error);
  };
  worker.unref();
  worker.on("message", (message: FromWriter) => {
    if (message.type === "closed") {
      stopped = true;
      closed?.();
      return;
    }
    if (message.type === "updated") {
      busy(-1);
      const waiter = updates.shift();
      if ("error" in message) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.changes);
      return;
    }
    busy(-message.results.length);
    events.committed(message);
  });
  worker.on("error", (error) =>
    stop(new Error(`the store's writer thread failed: ${error.message}`)),
  );
  worker.on("exit", (code) => stop(new Error(`the store's writer thread exited (code ${code})`)));
  return {
    send(jobs) {
      busy(jobs.length);
      post({ type: "insert", jobs });
    },
    setRoutes(routes) {
      post({ type: "routes", routes });
    },
    update(sql, params) {
      if (stopped) return Promise.reject(failure ?? new Error("the store's writer thread stopped"));
      busy(1);
      return new Promise<number>((resolve, reject) => {
        updates.push({ resolve, reject });
        post({ type: "update", sql, params });
      });
    },
    close() {
      if (stopped) return Promise.resolve();
      worker.ref();
      return new Promise<void>((resolve) => {
        closed = resolve;
        post({ type: "close" });
      });
    },
  };
}

/**
 * Commits on the caller's thread, in the turn the jobs are sent: for an in-memory database,
 * which another connection (the writer thread's) could not see.
 */
export function writerOnThisThread(
  db: Database.Database,
  sql: WriterSql,
  maxBatch: number,
  events: WriterEvents,
): Writer {
  const committer = createBatchCommitter(db, sql, maxBatch);
  return {
    send: (jobs) => events.committed(committer.commit(jobs)),
    setRoutes: (routes) => committer.setRoutes(routes),
    update: async (sql, params) => committer.update(sql, params),
    close: () => Promise.resolve(),
  };
}
