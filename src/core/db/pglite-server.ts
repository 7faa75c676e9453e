import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../logger';
import { renameStatements, simpleQuery, splitMessages, type WireMessage } from './pg-wire';

/**
 * PGlite served over the Postgres wire protocol on a unix socket, to any number of clients (pools
 * of TypeORM and Agenda, psql), on PGlite's single session. Correct by construction:
 *
 * - One client at a time owns the session, from its first message until it is back outside a
 *   transaction at the end of an exchange (after Sync or a simple Query): an extended-protocol
 *   exchange (Parse, Bind, Execute, Sync) or a whole BEGIN … COMMIT runs with nothing of another
 *   client in between. Others wait their turn, in order.
 * - Named prepared statements and portals exist once per session, so each client's names are
 *   prefixed with its own id: two clients may prepare the same name, as on a real server.
 * - A client that goes away inside a transaction is rolled back, and its statements deallocated.
 *
 * The cost is that transactions never overlap: a transaction held open while the application
 * awaits something else delays every other query (logged when someone waits on it for long).
 */
export class PgliteServer {
  private readonly server: Server;
  private readonly session = new SessionLock();
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly db: PGlite,
    private readonly log: Logger,
  ) {
    this.server = createServer((socket) => {
      const client = new Client(this.nextId++, socket, db, this.session, log);
      this.clients.add(client);
      socket.once('close', () => this.clients.delete(client));
    });
    this.watchdog = setInterval(() => this.session.reportStall(log), 5_000);
    this.watchdog.unref();
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting clients, ends the connected ones and waits until each has been cleaned up. */
  async close(): Promise<void> {
    clearInterval(this.watchdog);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.clients].map((client) => client.end()));
    await closed;
  }
}

/** FIFO ownership of the PGlite session. */
class SessionLock {
  private owner?: Client;
  private readonly waiting: Array<{ client: Client; grant: () => void }> = [];
  private ownerIdleSince?: number;
  private reported?: Client;

  acquire(client: Client): Promise<void> {
    if (!this.owner) {
      this.owner = client;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ client, grant }));
  }

  release(client: Client): void {
    if (this.owner !== client) return;
    const next = this.waiting.shift();
    this.owner = next?.client;
    this.ownerIdleSince = undefined;
    next?.grant();
  }

  /** The owner is waiting for its client's next message (inside a transaction). */
  idle(client: Client, idle: boolean): void {
    if (this.owner === client) this.ownerIdleSince = idle ? Date.now() : undefined;
  }

  /** A transaction left open while others wait is almost always an application bug: say so once. */
  reportStall(log: Logger): void {
    const owner = this.owner;
    if (!owner || this.waiting.length === 0 || this.ownerIdleSince === undefined || this.reported === owner) return;
    const idleMs = Date.now() - this.ownerIdleSince;
    if (idleMs < 10_000) return;
    this.reported = owner;
    log.warn({ client: owner.id, idleMs, waiting: this.waiting.length }, 'embedded database: a client has held a transaction open while others wait');
  }
}

const CLOSE: WireMessage = { type: 'close', bytes: new Uint8Array(0) };
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/** One client connection: its messages run in order, each while it owns the session. */
class Client {
  private buffer: Buffer = Buffer.alloc(0);
  private startup = true;
  private readonly queue: WireMessage[] = [];
  private pumping?: Promise<void>;
  private owning = false;
  private closed = false;
  private readonly statements = new Set<string>();
  private readonly prefix: string;
  private ended?: Promise<void>;
  private resolveEnded!: () => void;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly db: PGlite,
    private readonly session: SessionLock,
    private readonly log: Logger,
  ) {
    this.prefix = `c${id}_`;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    socket.setNoDelay(true);
    socket.on('data', (data) => this.receive(data));
    socket.on('error', () => undefined); // 'close' follows; the cleanup happens there
    socket.on('close', () => this.enqueue(CLOSE));
  }

  /** Ends the connection; resolves once its session state has been cleaned up. */
  end(): Promise<void> {
    this.socket.destroy();
    return this.ended!;
  }

  private receive(data: Buffer): void {
    if (this.closed) return;
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    const { messages, rest, startupDone } = splitMessages(this.buffer, this.startup);
    this.buffer = rest;
    this.startup = !startupDone && this.startup;
    for (const message of messages) this.enqueue(message);
  }

  private enqueue(message: WireMessage): void {
    if (this.closed) return;
    if (message === CLOSE) {
      this.closed = true;
      this.queue.length = 0; // what the client sent before leaving is not run
    }
    this.queue.push(message);
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const message = this.queue.shift()!;
      if (message.type === 'ssl') {
        this.socket.write('N'); // no TLS on a local socket; the client goes on in plain text
        continue;
      }
      if (message.type === 'cancel' || message.type === 'terminate') {
        this.socket.end();
        continue;
      }
      if (!this.owning) {
        await this.session.acquire(this);
        this.owning = true;
      }
      if (message === CLOSE) {
        await this.cleanUp();
        return;
      }
      this.session.idle(this, false);
      await this.execute(message);
      if (message.endsExchange && !this.db.isInTransaction()) {
        this.owning = false;
        this.session.release(this);
      } else {
        this.session.idle(this, true);
      }
    }
  }

  private async execute(message: WireMessage): Promise<void> {
    const bytes = message.type === 'message' ? renameStatements(message, this.prefix, this.statements) : message.bytes;
    try {
      // `data` is a view into PGlite's memory, reused by the next output: copied before it is queued.
      await this.db.execProtocolRawStream(bytes, { onRawData: (data) => this.closed || this.socket.write(Buffer.from(data)) });
    } catch (error) {
      // PGlite answers SQL errors in the protocol; a throw means the exchange is broken: drop the client.
      this.log.error({ err: error, client: this.id }, 'embedded database: protocol message failed; closing the client');
      this.socket.destroy();
    }
  }

  /**
   * Runs while owning the session: nothing the client left behind survives it. Only through
   * execProtocolRawStream with a sink of our own: PGlite's exec() and execProtocolRaw() write to the
   * output callback of the last raw stream, which is another client's socket.
   */
  private async cleanUp(): Promise<void> {
    const discard = { onRawData: () => undefined };
    try {
      // A Sync ends an exchange the client left half-way (its implicit transaction, the unnamed portal).
      await this.db.execProtocolRawStream(SYNC, discard);
      if (this.db.isInTransaction()) await this.db.execProtocolRawStream(simpleQuery('ROLLBACK'), discard);
      for (const name of this.statements) await this.db.execProtocolRawStream(simpleQuery(`DEALLOCATE "${name.replaceAll('"', '""')}"`), discard);
    } catch (error) {
      this.log.warn({ err: error, client: this.id }, 'embedded database: cleaning up a closed client failed');
    } finally {
      this.statements.clear();
      this.owning = false;
      this.session.release(this);
      this.resolveEnded();
    }
  }
}
