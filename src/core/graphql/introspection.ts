import { BREAK, visit, type DocumentNode } from 'graphql';

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
