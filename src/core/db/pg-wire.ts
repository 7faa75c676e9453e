// The few parts of the Postgres wire protocol (v3) the embedded server must understand: where a
// message ends, which messages end an exchange, and where statement and portal names sit.
// https://www.postgresql.org/docs/current/protocol-message-formats.html

export type WireMessage = {
  /** startup/ssl/cancel: the untyped first messages; terminate: 'X'; message: any other typed one. */
  type: 'startup' | 'ssl' | 'cancel' | 'terminate' | 'message' | 'close';
  bytes: Uint8Array;
  /** Sync, a simple Query or the startup: the server answers ReadyForQuery after it. */
  endsExchange?: boolean;
};

const PROTOCOL_V3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** Complete messages at the front of `buffer`, and what remains of an incomplete one. */
export function splitMessages(buffer: Buffer, startup: boolean): { messages: WireMessage[]; rest: Buffer; startupDone: boolean } {
  const messages: WireMessage[] = [];
  let offset = 0;
  let startupDone = false;
  while (startup && !startupDone && buffer.length - offset >= 8) {
    const length = buffer.readInt32BE(offset);
    if (buffer.length - offset < length) break;
    const code = buffer.readInt32BE(offset + 4);
    const bytes = buffer.subarray(offset, offset + length);
    offset += length;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) messages.push({ type: 'ssl', bytes });
    else if (code === CANCEL_REQUEST) messages.push({ type: 'cancel', bytes });
    else {
      if (code !== PROTOCOL_V3) throw new Error(`unsupported protocol version ${code}`);
      messages.push({ type: 'startup', bytes, endsExchange: true });
      startupDone = true;
    }
  }
  if (!startup || startupDone) {
    while (buffer.length - offset >= 5) {
      const length = 1 + buffer.readInt32BE(offset + 1);
      if (buffer.length - offset < length) break;
      const code = String.fromCharCode(buffer[offset]);
      const bytes = buffer.subarray(offset, offset + length);
      offset += length;
      messages.push(code === 'X' ? { type: 'terminate', bytes } : { type: 'message', bytes, endsExchange: code === 'S' || code === 'Q' });
    }
  }
  return { messages, rest: buffer.subarray(offset), startupDone };
}

/**
 * Gives a client's named statements and portals its own prefix (Parse, Bind, Execute, Describe,
 * Close), and keeps `statements` (the prefixed names it prepared) up to date. The unnamed
 * statement and portal ("") stay as they are: they live only within one exchange.
 */
export function renameStatements(message: WireMessage, prefix: string, statements: Set<string>): Uint8Array {
  const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
  const code = String.fromCharCode(bytes[0]);
  const rename = (name: string) => (name === '' ? '' : prefix + name);
  switch (code) {
    case 'P': {
      const [name, end] = cstring(bytes, 5);
      if (name === '') return bytes;
      statements.add(rename(name));
      return rebuild(code, [rename(name)], bytes.subarray(end));
    }
    case 'B': {
      const [portal, afterPortal] = cstring(bytes, 5);
      const [statement, end] = cstring(bytes, afterPortal);
      if (portal === '' && statement === '') return bytes;
      return rebuild(code, [rename(portal), rename(statement)], bytes.subarray(end));
    }
    case 'E': {
      const [portal, end] = cstring(bytes, 5);
      if (portal === '') return bytes;
      return rebuild(code, [rename(portal)], bytes.subarray(end));
    }
    case 'D':
    case 'C': {
      const kind = String.fromCharCode(bytes[5]);
      const [name, end] = cstring(bytes, 6);
      if (name === '') return bytes;
      if (code === 'C' && kind === 'S') statements.delete(rename(name));
      return rebuild(code, [kind + rename(name)], bytes.subarray(end));
    }
    default:
      return bytes;
  }
}

function cstring(bytes: Buffer, offset: number): [string, number] {
  const end = bytes.indexOf(0, offset);
  if (end === -1) throw new Error('malformed protocol message: unterminated string');
  return [bytes.toString('utf8', offset, end), end + 1];
}

/** A message of type `code`: the given strings (each NUL-terminated), then the unchanged rest. */
function rebuild(code: string, strings: string[], rest: Buffer): Buffer {
  const head = Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`, 'utf8')));
  const message = Buffer.alloc(1 + 4 + head.length + rest.length);
  message.write(code, 0, 'latin1');
  message.writeInt32BE(4 + head.length + rest.length, 1);
  head.copy(message, 5);
  rest.copy(message, 5 + head.length);
  return message;
}

/** A simple-protocol Query message. */
export function simpleQuery(sql: string): Uint8Array {
  return rebuild('Q', [sql], Buffer.alloc(0));
}
