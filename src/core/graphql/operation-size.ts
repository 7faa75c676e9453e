import { type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export type OperationSize = {
  /** Deepest field nesting, introspection fields (`__schema`, `__type` …) not counted. */
  depth: number;
  /** Selections (fields, spreads, inline fragments) once every fragment spread is expanded. */
  selections: number;
};

/**
 * Depth and expanded size of the operation to run (or of every operation when none is named),
 * in time linear in the document: each fragment is measured once and reused at every spread.
 * Walking spreads instead of memoising them is exponential: 40 fragments that each spread the
 * next one twice (1.5 KB) expand to 2^40 selections. The size is a float, so a huge one is just
 * a huge number (or Infinity), never work. A fragment cycle (refused by standard validation)
 * counts as empty rather than recursing.
 */
export function measureOperation(document: DocumentNode, operationName?: string | null): OperationSize {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName)) operations.push(definition);
  }
  const measured = new Map<string, OperationSize>();
  const inProgress = new Set<string>();

  const fragmentSize = (name: string): OperationSize => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return { depth: 0, selections: 0 };
    inProgress.add(name);
    const size = selectionSetSize(fragment.selectionSet);
    inProgress.delete(name);
    measured.set(name, size);
    return size;
  };

  // Recursive: nesting is bounded by what the parser (itself recursive, limited in tokens) accepted.
  const selectionSetSize = (set: SelectionSetNode): OperationSize => {
    let depth = 0;
    let selections = 0;
    for (const selection of set.selections) {
      selections += 1;
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) continue;
        const child = selectionSetSize(selection.selectionSet);
        selections += child.selections;
        if (!selection.name.value.startsWith('__')) depth = Math.max(depth, 1 + child.depth);
      } else {
        const child = selection.kind === Kind.FRAGMENT_SPREAD ? fragmentSize(selection.name.value) : selectionSetSize(selection.selectionSet);
        selections += child.selections;
        depth = Math.max(depth, child.depth);
      }
    }
    return { depth, selections };
  };

  let depth = 0;
  let selections = 0;
  for (const operation of operations) {
    const size = selectionSetSize(operation.selectionSet);
    depth = Math.max(depth, size.depth);
    selections += size.selections;
  }
  return { depth, selections };
}
