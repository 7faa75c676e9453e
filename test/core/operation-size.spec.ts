import { parse } from 'graphql';
import { measureOperation } from '../../src/core/graphql/operation-size';

describe('measureOperation', () => {
  it('should count nested fields for depth, not fragments, inline fragments or introspection fields', () => {
    expect(measureOperation(parse('{ me { id } }')).depth).toBe(1);
    expect(measureOperation(parse('{ leads { nodes { ...L } } } fragment L on Lead { ... on Lead { campaign { id } } }')).depth).toBe(3);
    expect(measureOperation(parse('{ __schema { types { fields { type { ofType { name } } } } } me { id } }')).depth).toBe(1);
  });

  it('should count every selection once its fragments are expanded', () => {
    expect(measureOperation(parse('{ a: me { id } b: me { id } }')).selections).toBe(4);
    expect(measureOperation(parse('{ ...F ...F } fragment F on Query { me { id } }')).selections).toBe(6);
  });

  it('should measure a fragment bomb without expanding it', () => {
    const n = 1_100;
    const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const size = measureOperation(parse(`{ ...F0 } ${fragments} fragment F${n} on Query { __typename }`));
    expect(size.selections).toBe(Infinity); // 2^1100 overflows a double: a number, never work
    expect(size.depth).toBe(0);
  });

  it('should measure only the named operation, or all of them when none is named', () => {
    const document = parse('query A { me { id } } query B { leads { nodes { campaign { id } } } }');
    expect(measureOperation(document, 'A')).toEqual({ depth: 1, selections: 2 });
    expect(measureOperation(document)).toEqual({ depth: 3, selections: 6 });
  });

  it('should count a fragment cycle (refused by validation) as empty instead of recursing', () => {
    expect(measureOperation(parse('{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }')).selections).toBe(5);
  });
});
