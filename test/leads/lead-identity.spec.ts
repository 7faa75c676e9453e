import { normalizeProviderId, normalizePublicIdentifier, personKeys } from '../../src/modules/leads/lead-identity';

describe('normalizePublicIdentifier', () => {
  describe('profile URLs', () => {
    it.each([
      'https://www.linkedin.com/in/john-doe',
      'https://www.linkedin.com/in/john-doe/',
      'http://www.linkedin.com/in/john-doe',
      'https://linkedin.com/in/john-doe',
      'www.linkedin.com/in/john-doe',
      'linkedin.com/in/john-doe',
      'linkedin.com/in/john-doe/',
      'https://uk.linkedin.com/in/john-doe',
      'https://de.linkedin.com/in/john-doe/',
      'https://www.linkedin.com/in/john-doe?originalSubdomain=uk',
      'https://www.linkedin.com/in/john-doe/?utm_source=share&utm_medium=member_desktop',
      'https://www.linkedin.com/in/john-doe#experience',
      'HTTPS://WWW.LINKEDIN.COM/IN/JOHN-DOE',
      'https://www.linkedin.com/in/John-Doe/',
      '  https://www.linkedin.com/in/john-doe  ',
    ])('should give "john-doe" when the input is %p', (input) => {
      expect(normalizePublicIdentifier(input)).toBe('john-doe');
    });

    it('should decode a percent-encoded slug when the URL has one', () => {
      expect(normalizePublicIdentifier('https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/')).toBe('josé-garcía');
    });

    it('should lower-case a percent-encoded slug when its decoded letters are upper case', () => {
      expect(normalizePublicIdentifier('https://www.linkedin.com/in/%C3%89MILE-Zola')).toBe('émile-zola');
    });

    it('should give the same identifier when the same person is written encoded and decoded', () => {
      expect(normalizePublicIdentifier('linkedin.com/in/M%C3%BCller-123')).toBe(normalizePublicIdentifier('müller-123'));
    });

    it('should keep digits and letters of the slug when it ends with a LinkedIn hash', () => {
      expect(normalizePublicIdentifier('https://www.linkedin.com/in/jane-smith-4a7b9c12/')).toBe('jane-smith-4a7b9c12');
    });
  });

  describe('bare slugs', () => {
    it.each([
      ['john-doe', 'john-doe'],
      ['John-Doe', 'john-doe'],
      ['  jdoe  ', 'jdoe'],
      ['j.doe_1', 'j.doe_1'],
      ['abc', 'abc'],
      ['jos%C3%A9', 'josé'],
      ['ÉMILE', 'émile'],
    ])('should give %p → %p', (input, expected) => {
      expect(normalizePublicIdentifier(input)).toBe(expected);
    });

    it('should accept a slug of 100 characters and refuse one of 101', () => {
      expect(normalizePublicIdentifier('a'.repeat(100))).toBe('a'.repeat(100));
      expect(normalizePublicIdentifier('a'.repeat(101))).toBeUndefined();
    });
  });

  describe('junk', () => {
    it.each([
      ['an empty string', ''],
      ['only spaces', '   '],
      ['a slug that is too short', 'ab'],
      ['a slug with a space', 'john doe'],
      ['a slug with a slash', 'john/doe'],
      ['an encoded slash', 'john%2Fdoe'],
      ['an encoded space', 'john%20doe'],
      ['a broken percent escape', 'john%zzdoe'],
      ['a lone percent sign', '100%'],
      ['an email address', 'john@example.com'],
      ['a company page', 'https://www.linkedin.com/company/acme'],
      ['a profile URL without slug', 'https://www.linkedin.com/in/'],
      ['a profile sub-page', 'https://www.linkedin.com/in/john-doe/details/experience/'],
      ['another site with the same path', 'https://example.com/in/john-doe'],
      ['a look-alike domain', 'https://linkedin.com.evil.io/in/john-doe'],
      ['a sales navigator URL', 'https://www.linkedin.com/sales/lead/ACoAAB1234567,NAME_SEARCH'],
      ['a plain URL', 'https://example.com'],
      ['a slug with angle brackets', '<script>'],
    ])('should give undefined when the input is %s', (_label, input) => {
      expect(normalizePublicIdentifier(input)).toBeUndefined();
    });
  });
});

describe('normalizeProviderId', () => {
  it.each([
    ['ACoAAB1cDeFgHiJkLmNoPqRsTuVwXyZ0123456', 'ACoAAB1cDeFgHiJkLmNoPqRsTuVwXyZ0123456'],
    ['  ACoAAB1cDeFg  ', 'ACoAAB1cDeFg'],
    ['abc_DEF-12', 'abc_DEF-12'],
    ['12345678', '12345678'],
  ])('should accept %p keeping its case when it is a member id', (input, expected) => {
    expect(normalizeProviderId(input)).toBe(expected);
  });

  it('should keep the case of a member id when it is mixed', () => {
    expect(normalizeProviderId('ACoAAbCdEfGh')).not.toBe('acoaabcdefgh');
  });

  it('should accept 100 characters and refuse 101', () => {
    expect(normalizeProviderId('A'.repeat(100))).toBe('A'.repeat(100));
    expect(normalizeProviderId('A'.repeat(101))).toBeUndefined();
  });

  it.each([
    ['an empty string', ''],
    ['seven characters', 'ACoAA12'],
    ['an inner space', 'ACoAA B1234'],
    ['a profile URL', 'https://www.linkedin.com/in/john-doe'],
    ['a dot', 'ACoAA.B1234'],
    ['a plus sign', 'ACoAA+B1234'],
    ['non-ASCII letters', 'ACoAAéB1234'],
  ])('should give undefined when the input is %s', (_label, input) => {
    expect(normalizeProviderId(input)).toBeUndefined();
  });
});

describe('personKeys', () => {
  it('should give both keys when both identifiers are known', () => {
    expect(personKeys({ publicIdentifier: 'john-doe', providerId: 'ACoAAB1234' })).toEqual(['pub:john-doe', 'mid:ACoAAB1234']);
  });

  it.each([
    [{ publicIdentifier: 'john-doe', providerId: null }, ['pub:john-doe']],
    [{ publicIdentifier: null, providerId: 'ACoAAB1234' }, ['mid:ACoAAB1234']],
    [{ publicIdentifier: null, providerId: null }, []],
    [{ publicIdentifier: '', providerId: '' }, []],
  ])('should give only the keys present when given %p', (person, expected) => {
    expect(personKeys(person)).toEqual(expected);
  });

  it('should not confuse a slug with a member id when both have the same text', () => {
    const a = personKeys({ publicIdentifier: 'abcdefgh12', providerId: null });
    const b = personKeys({ publicIdentifier: null, providerId: 'abcdefgh12' });
    expect(a.some((k) => b.includes(k))).toBe(false);
  });

  it('should share a key when two records name the same profile in different URL forms', () => {
    const a = personKeys({ publicIdentifier: normalizePublicIdentifier('https://uk.linkedin.com/in/John-Doe/')!, providerId: null });
    const b = personKeys({ publicIdentifier: normalizePublicIdentifier('john-doe')!, providerId: 'ACoAAB1234' });
    expect(a.some((k) => b.includes(k))).toBe(true);
  });
});
