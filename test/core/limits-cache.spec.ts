import { parse } from 'graphql';
import { InputError } from '../../src/core/errors';
import { cacheLimitVerdicts } from '../../src/core/graphql/limits-cache';
import { QueryLimitError } from '../../src/core/graphql/limits';

describe('cacheLimitVerdicts', () => {
  const tooComplex = new QueryLimitError('QUERY_TOO_COMPLEX', 'too costly', {});
  // A stand-in check: too complex when $n (the page size) is over 100 and $all includes the nodes.
  const counting = () => {
    let calls = 0;
    const check = cacheLimitVerdicts((_document, variables) => {
      calls += 1;
      if (variables?.bad) return new InputError('does not coerce');
      return Number(variables?.n) > 100 && variables?.all !== false ? tooComplex : undefined;
    });
    return { check, calls: () => calls };
  };
  const document = parse('query Q($n: Int!, $all: Boolean, $id: ID, $bad: String) { leads(first: $n, campaignId: $id) { nodes @include(if: $all) { id } } }');

  it('should check a document once per value of its Int and Boolean variables', () => {
    const { check, calls } = counting();
    expect(check(document, { n: 5, id: 'a' }, 'Q')).toBeUndefined();
    expect(check(document, { n: 5, id: 'b' }, 'Q')).toBeUndefined();
    expect(calls()).toBe(1);
    expect(check(document, { n: 500, id: 'a' }, 'Q')).toBe(tooComplex);
    expect(check(document, { n: 500, all: false }, 'Q')).toBeUndefined();
    expect(check(document, { n: 500, id: 'c' }, 'Q')).toBe(tooComplex);
    expect(calls()).toBe(3);
  });

  it('should check again for another document object or operation name', () => {
    const { check, calls } = counting();
    check(document, { n: 5 }, 'Q');
    check(parse('query Q($n: Int!) { leads(first: $n) { nodes { id } } }'), { n: 5 }, 'Q');
    check(document, { n: 5 }, undefined);
    expect(calls()).toBe(3);
  });

  it('should never reuse a verdict on variables that did not coerce', () => {
    const { check, calls } = counting();
    expect(check(document, { n: 5, bad: 1 }, 'Q')).toBeInstanceOf(InputError);
    expect(check(document, { n: 5, bad: 1 }, 'Q')).toBeInstanceOf(InputError);
    expect(calls()).toBe(2);
  });

  it('should keep a bounded number of variants per document', () => {
    const { check, calls } = counting();
    for (let n = 0; n < 40; n++) check(document, { n }, 'Q');
    check(document, { n: 0 }, 'Q');
    expect(calls()).toBe(41);
  });
});
