import { BREAK, visit, type DocumentNode } from 'graphql';
import type { Viewer } from './viewer';

// Per parsed document: Apollo's document store hands back the same object for the same query text.
const seen = new WeakMap<DocumentNode, boolean>();

/** True when an operation asks for the schema (`__schema` or `__type`); `__typename` is fine. */
export function usesIntrospection(document: DocumentNode): boolean {
  const known = seen.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  seen.set(document, found);
  return found;
}

/** In production only admins may introspect (and so use GraphiQL's docs); elsewhere anyone. */
export function mayIntrospect(viewer: Viewer | undefined, isProduction: boolean): boolean {
  return !isProduction || viewer?.role === 'ADMIN';
}

/**
 * graphql-js names the fields, arguments, types and enum values closest to a mistyped one ("Did
 * you mean …?"), which maps the schema for whoever probes it. Only signed-in callers who may also
 * introspect get them: never anonymous callers, in production only admins.
 */
export function maySeeSuggestions(viewer: Viewer | undefined, isProduction: boolean): boolean {
  return viewer !== undefined && mayIntrospect(viewer, isProduction);
}

// graphql-js ends a message with its suggestions (the pattern of Apollo's DisableSuggestions plugin).
const SUGGESTIONS = / ?Did you mean(.+?)\?$/;

/** The message without graphql-js's trailing "Did you mean …?". */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTIONS, '');
}
