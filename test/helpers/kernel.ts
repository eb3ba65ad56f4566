// Kernel tests run as root inside network namespaces they create and remove;
// they never touch the host's interfaces or routes. Without root they are
// skipped with the reason printed, except under CI=true, where they must run
// and a missing privilege is a failure.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function haveIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why kernel tests cannot run here, or null when they can. */
export function kernelUnavailableReason(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!isRoot()) return 'not root (network namespaces need CAP_SYS_ADMIN)';
  if (!haveIp()) return 'the ip command (iproute2) is missing';
  return null;
}

/**
 * describe() for kernel tests: skipped with a printed reason when they cannot
 * run, and failing instead of skipping under CI=true.
 */
export function describeKernel(name: string, fn: () => void): void {
  const reason = kernelUnavailableReason();
  if (reason && process.env.CI !== 'true') {
    console.warn(`kernel tests "${name}" skipped: ${reason}`);
    describe.skip(name, fn);
    return;
  }
  if (reason) throw new Error(`kernel tests "${name}" cannot run under CI=true: ${reason}`);
  describe(name, fn);
}

/** Runs a command, throwing with its stderr on failure; returns stdout. */
export function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

/** A network namespace made for a test; remove() deletes it and everything in it. */
export class TestNetns {
  readonly name: string;
  private removed = false;

  private constructor(name: string) {
    this.name = name;
  }

  static create(prefix = 'nlkit'): TestNetns {
    const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
    run('ip', ['netns', 'add', name]);
    const ns = new TestNetns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** Path of the namespace file, for NativeTransport's netns option. */
  get path(): string {
    return `/run/netns/${this.name}`;
  }

  /** Runs `ip ARGS...` inside the namespace. */
  ip(...args: string[]): string {
    return run('ip', ['-n', this.name, ...args]);
  }

  /** Runs a command inside the namespace. */
  exec(command: string, ...args: string[]): string {
    return run('ip', ['netns', 'exec', this.name, command, ...args]);
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    run('ip', ['netns', 'delete', this.name]);
  }
}
