import { BREAK, visit, type DocumentNode } from 'graphql';

/** True when an operation asks for the schema (`__schema` or `__type`); `__typename` is fine. */
export function usesIntrospection(document: DocumentNode): boolean {
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
  return found;
}
