// The page's side of the worker conversation: requests with ids, answers as
// promises, progress to a callback. The worker's code is inlined in the page
// by the build (a Blob URL), so the page works from file:// as well.

import type { WorkerReply, WorkerRequest } from '../shared/messages.js';

declare const __NLKIT_WORKER_SOURCE__: string;

type Pending = { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };
type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export class WorkerFailure extends Error {
  constructor(message: string, readonly code: string | null) {
    super(message);
  }
}

export class WorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  onProgress: (reply: Extract<WorkerReply, { kind: 'progress' }>) => void = () => {};

  constructor() {
    if (typeof __NLKIT_WORKER_SOURCE__ !== 'string') throw new Error('the page was not built with its worker (run node scripts/build-web.mjs)');
    this.worker = new Worker(URL.createObjectURL(new Blob([__NLKIT_WORKER_SOURCE__], { type: 'text/javascript' })));
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new WorkerFailure(`the decoder stopped: ${e.message}`, null));
      this.pending.clear();
    };
  }

  private receive(reply: WorkerReply): void {
    if (reply.kind === 'progress') {
      this.onProgress(reply);
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'failed') p.reject(new WorkerFailure(reply.message, reply.code));
    else p.resolve(reply);
  }

  /** Sends a request; the answer of the matching kind. */
  request<K extends WorkerReply['kind']>(req: Without<WorkerRequest, 'id'>): Promise<Extract<WorkerReply, { kind: K }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerReply) => void, reject });
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }
}
