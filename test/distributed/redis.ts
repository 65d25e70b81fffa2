/**
 * Test helpers for the distributed batch: a real redis-server on a free loopback port (append-only
 * file fsynced on every write, so a restart keeps the queue, as a production Redis with AOF does),
 * and the CLI as child processes (workers, the batch command).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => { resolve(port); });
    });
  });
}

/** Whether something answers PING on the port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let got = '';
    c.once('error', () => { resolve(false); });
    c.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        c.destroy();
        resolve(got.startsWith('+PONG'));
      }
    });
    c.write('PING\r\n');
  });
}

export class Redis {
  readonly dir = mkdtempSync(join(tmpdir(), 'imarray-redis-'));
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number) {}
  static async start(): Promise<Redis> {
    const r = new Redis(await freePort());
    await r.up();
    return r;
  }
  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }
  async up(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await ping(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }
  /** Stops the server (SIGTERM: it writes what it has, as on a restart). */
  async down(): Promise<void> {
    const p = this.proc;
    if (p === undefined || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => { resolve(); });
      p.kill('SIGTERM');
    });
    this.proc = undefined;
  }
}

/** A child process running the CLI, its output collected. */
export interface Cli {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number>;
  /** Resolves when stderr or stdout has matched `re`. */
  until: (re: RegExp, ms?: number) => Promise<void>;
}

export function cli(...args: string[]): Cli {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; done: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.re.test(out) || w.re.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done();
      }
    }
  };
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); check(); });
  proc.stderr?.on('data', (d: Buffer) => { err += d.toString(); check(); });
  const exited = new Promise<number>((resolve) => { proc.once('exit', (code, signal) => { resolve(code ?? (signal === null ? -1 : 128)); }); });
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    until: (re, ms = 60_000) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => { reject(new Error(`no ${re} within ${ms} ms; stdout: ${out}\nstderr: ${err}`)); }, ms);
      waiters.push({ re, done: () => { clearTimeout(t); resolve(); } });
      check();
    }),
  };
}
