// What the bus needs from its host, found defensively so that the same code
// runs in Node, browsers and workers: no Node built-in is imported.

import type { Credentials } from '../transport.js';

export type { Credentials };

interface ProcessLike {
  pid?: unknown;
  getuid?: () => number;
  getgid?: () => number;
}

/** The running process's pid/uid/gid where the host exposes them, else pid 1 and root. */
export function hostCredentials(): Credentials {
  const proc = (globalThis as { process?: ProcessLike }).process;
  const pid = typeof proc?.pid === 'number' ? proc.pid : 1;
  const uid = typeof proc?.getuid === 'function' ? proc.getuid() : 0;
  const gid = typeof proc?.getgid === 'function' ? proc.getgid() : 0;
  return { pid, uid, gid };
}

/** Deterministic mode's credentials: no dependence on the host. */
export const FIXED_CREDENTIALS: Readonly<Credentials> = Object.freeze({ pid: 1000, uid: 0, gid: 0 });

export type Task = () => void;

/**
 * A macrotask scheduler: setImmediate where it exists (Node), else a
 * MessageChannel (browsers, workers), else setTimeout. Used to re-notify a
 * socket that is still readable, so a reader that does not drain yields to
 * the event loop instead of starving it.
 */
export function macrotaskScheduler(): (task: Task) => void {
  const g = globalThis as {
    setImmediate?: (task: Task) => unknown;
    MessageChannel?: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(v: unknown): void } };
  };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return (task) => { setImmediate(task); };
  }
  if (typeof g.MessageChannel === 'function') {
    const channel = new g.MessageChannel();
    const tasks: Task[] = [];
    channel.port1.onmessage = () => tasks.shift()?.();
    return (task) => {
      tasks.push(task);
      channel.port2.postMessage(0);
    };
  }
  return (task) => { setTimeout(task, 0); };
}

/** A uniformly random integer in [low, high] (inclusive), from Math.random. */
export function randomInteger(low: number, high: number): number {
  return low + Math.floor(Math.random() * (high - low + 1));
}
