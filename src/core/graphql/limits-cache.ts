import { type DocumentNode, Kind, type TypeNode } from 'graphql';
import { type DomainError, InputError } from '../errors';

// Variants remembered per document; past that the document's entries are dropped and refilled.
const MAX_VARIANTS_PER_DOCUMENT = 16;

// The only inputs of the depth and cost verdict besides the document: the estimators read
// `first` and `days` (Int arguments, so literals or Int variables) and @skip/@include read a
// Boolean. Values of other variables cannot change the verdict.
const COST_INPUT_TYPES = new Set(['Int', 'Boolean']);

type Verdict = DomainError | undefined;
type Check = (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined | null) => Verdict;

/**
 * Remembers the depth and cost verdict of each document, per operation name and per value of
 * its Int and Boolean variables. Keyed by the DocumentNode object: Apollo's document store hands
 * back the same object for the same query text, and bounds how many stay alive. A verdict that
 * depends on every variable (one that did not coerce) is never reused.
 */
export function cacheLimitVerdicts(check: Check): Check {
  const verdicts = new WeakMap<DocumentNode, Map<string, Verdict>>();
  return (document, variables, operationName) => {
    const key = verdictKey(document, variables, operationName);
    const known = verdicts.get(document);
    if (known?.has(key)) return known.get(key);
    const verdict = check(document, variables, operationName);
    if (verdict instanceof InputError) return verdict;
    const entries = known ?? new Map<string, Verdict>();
    if (entries.size >= MAX_VARIANTS_PER_DOCUMENT) entries.clear();
    entries.set(key, verdict);
    verdicts.set(document, entries);
    return verdict;
  };
}

function verdictKey(document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined | null): string {
  const inputs: unknown[] = [operationName ?? null];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      if (COST_INPUT_TYPES.has(namedType(variable.type))) inputs.push(variable.variable.name.value, variables?.[variable.variable.name.value] ?? null);
    }
  }
  return JSON.stringify(inputs);
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}
