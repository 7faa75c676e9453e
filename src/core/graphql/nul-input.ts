import { BREAK, type DocumentNode, visit } from 'graphql';
import { InputError } from '../errors';

const NUL = '\u0000';
const MESSAGE = 'Text may not contain the NUL character (\\u0000)';

// Per parsed document: Apollo's document store (and wsOperationPreparer) hand back the same object.
const literalChecked = new WeakMap<DocumentNode, boolean>();

/**
 * BAD_USER_INPUT when a string of the operation holds a NUL character: an inline literal
 * (`"a\u0000b"`) or any string or object key of the variables, at any depth. Postgres cannot store
 * NUL in text, so such a value would otherwise fail its SQL statement, an INTERNAL_SERVER_ERROR.
 * `details.variable` names where (e.g. `$leads[3].firstName`).
 */
export function nulInputError(document: DocumentNode, variables: Record<string, unknown> | undefined | null): InputError | undefined {
  if (hasNulLiteral(document)) return new InputError(`${MESSAGE}: a string in the query has one`);
  const path = variables ? nulVariablePath(variables) : undefined;
  // The path echoes the caller's object keys: bounded.
  return path ? new InputError(MESSAGE, { variable: path.slice(0, 200) }) : undefined;
}

function hasNulLiteral(document: DocumentNode): boolean {
  const known = literalChecked.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes(NUL)) return undefined;
      found = true;
      return BREAK;
    },
  });
  literalChecked.set(document, found);
  return found;
}

// Iterative: variables are parsed JSON of any nesting (up to the body limit), which recursion
// could not walk without overflowing the stack.
function nulVariablePath(variables: Record<string, unknown>): string | undefined {
  const pending: Array<[unknown, string]> = Object.entries(variables).map(([name, value]) => [value, `$${name}`]);
  if (Object.keys(variables).some((name) => name.includes(NUL))) return '$';
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return path;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) pending.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes(NUL)) return path;
        pending.push([child, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}
