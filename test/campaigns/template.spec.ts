import {
  MissingTemplateValueError,
  STANDARD_VARIABLES,
  type TemplateProblem,
  leadTemplateValues,
  minimumRenderedLength,
  placeholders,
  renderTemplate,
  templateProblems,
} from '../../src/modules/campaigns/template';

const malformed = (problems: TemplateProblem[]) => problems.filter((p) => p.kind === 'MALFORMED_PLACEHOLDER');
const unknown = (problems: TemplateProblem[]) =>
  problems.flatMap((p) => (p.kind === 'UNKNOWN_VARIABLE' ? [p.name] : []));

describe('placeholders', () => {
  it('should list each placeholder with its trimmed fallback when the template has several', () => {
    expect(placeholders('Hi {{first_name|there}}, how is {{ company }}? {{industry| your field }}')).toEqual([
      { name: 'first_name', fallback: 'there' },
      { name: 'company', fallback: undefined },
      { name: 'industry', fallback: 'your field' },
    ]);
  });

  it('should report an empty fallback as an empty string when the pipe has nothing after it', () => {
    expect(placeholders('{{first_name|}}')).toEqual([{ name: 'first_name', fallback: '' }]);
  });

  it('should find nothing when the template is plain text', () => {
    expect(placeholders('Hello there, {single braces} are text')).toEqual([]);
  });
});

describe('templateProblems', () => {
  it.each(STANDARD_VARIABLES.map((name) => [name]))('should accept the standard variable %s when no custom fields exist', (name) => {
    expect(templateProblems(`Hello {{${name}}}`, [])).toEqual([]);
  });

  it('should accept declared custom fields, fallbacks and inner spaces when all names are known', () => {
    expect(templateProblems('Hi {{ first_name | there }}, {{industry}} at {{company|your company}}', ['industry'])).toEqual([]);
  });

  it('should accept a template when it has no placeholders at all', () => {
    expect(templateProblems('Just text, with a { brace } or two.', [])).toEqual([]);
  });

  it('should report an unknown variable when it is neither standard nor declared', () => {
    expect(templateProblems('Hi {{first_name}}, love {{industry}}', [])).toEqual([{ kind: 'UNKNOWN_VARIABLE', name: 'industry' }]);
  });

  it('should report an unknown variable even when it has a fallback', () => {
    expect(unknown(templateProblems('Hi {{nickname|friend}}', ['industry']))).toEqual(['nickname']);
  });

  it('should report every unknown variable when there are several', () => {
    expect(unknown(templateProblems('{{a}} {{first_name}} {{b|x}}', []))).toEqual(['a', 'b']);
  });

  it('should treat variable names case-sensitively when the case differs from the declared name', () => {
    expect(unknown(templateProblems('Hi {{First_Name}}', []))).toEqual(['First_Name']);
  });

  it.each([
    ['an unclosed placeholder', 'Hi {{first_name, welcome'],
    ['a placeholder missing one closing brace', 'Hi {{first_name}, welcome'],
    ['a stray closing pair', 'Hi first_name}}, welcome'],
    ['an empty placeholder', 'Hi {{}}, welcome'],
    ['a name with a hyphen', 'Hi {{first-name}}'],
    ['a name starting with a digit', 'Hi {{1st}}'],
    ['a name with a space inside', 'Hi {{first name}}'],
    ['a fallback containing a brace', 'Hi {{first_name|{x}}}'],
    ['an unclosed placeholder after a valid one', 'Hi {{first_name}} and {{company'],
  ])('should report a malformed placeholder when the template has %s', (_label, template) => {
    const problems = malformed(templateProblems(template, []));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ kind: 'MALFORMED_PLACEHOLDER', text: expect.any(String) });
  });

  it('should quote the malformed text starting at the stray braces when reporting it', () => {
    const [problem] = malformed(templateProblems('Hello {{first_name} friend', []));
    expect(problem).toMatchObject({ text: expect.stringMatching(/^\{\{first_name\}/) });
  });

  it('should cut the quoted malformed text to 40 characters when it is long', () => {
    const [problem] = malformed(templateProblems(`Hello {{${'x'.repeat(100)}`, []));
    expect(problem.kind === 'MALFORMED_PLACEHOLDER' && problem.text.length).toBe(40);
  });

  it('should report both kinds of problem when a template has an unknown variable and a malformed placeholder', () => {
    const problems = templateProblems('{{industry}} {{company', []);
    expect(unknown(problems)).toEqual(['industry']);
    expect(malformed(problems)).toHaveLength(1);
  });
});

describe('minimumRenderedLength', () => {
  it.each([
    ['plain text', 'Hello there', 'Hello there'.length],
    ['a placeholder without fallback', 'Hi {{first_name}}!', 'Hi !'.length],
    ['a placeholder with a fallback', 'Hi {{first_name|there}}!', 'Hi there!'.length],
    ['a fallback with surrounding spaces', 'Hi {{first_name|  there  }}!', 'Hi there!'.length],
    ['an empty fallback', 'Hi {{first_name|}}!', 'Hi !'.length],
    ['several placeholders', '{{first_name|A}} {{last_name}} {{company|Acme}}', 'A  Acme'.length],
    ['an empty template', '', 0],
  ])('should count the text as if every variable were empty when the template has %s', (_label, template, expected) => {
    expect(minimumRenderedLength(template)).toBe(expected);
  });
});

describe('renderTemplate', () => {
  it('should substitute values when every variable has one', () => {
    expect(renderTemplate('Hi {{first_name}} from {{ company }}, {{industry}} is great', {
      first_name: 'Ada',
      company: 'Analytical Engines',
      industry: 'computing',
    })).toBe('Hi Ada from Analytical Engines, computing is great');
  });

  it('should prefer the value over the fallback when both exist', () => {
    expect(renderTemplate('Hi {{first_name|there}}', { first_name: 'Ada' })).toBe('Hi Ada');
  });

  it('should trim the value when it has surrounding spaces', () => {
    expect(renderTemplate('Hi {{first_name}}!', { first_name: '  Ada ' })).toBe('Hi Ada!');
  });

  it.each([
    ['missing', {}],
    ['null', { first_name: null }],
    ['undefined', { first_name: undefined }],
    ['empty', { first_name: '' }],
    ['only spaces', { first_name: '   ' }],
  ])('should use the trimmed fallback when the value is %s', (_label, values) => {
    expect(renderTemplate('Hi {{first_name| there }}!', values)).toBe('Hi there!');
  });

  it('should render an empty fallback as nothing when the value is missing', () => {
    expect(renderTemplate('Hi{{first_name|}}!', {})).toBe('Hi!');
  });

  it.each([
    ['missing', {}],
    ['null', { company: null }],
    ['blank', { company: '  ' }],
  ])('should throw MissingTemplateValueError naming the variable when the value is %s and there is no fallback', (_label, values) => {
    let thrown: unknown;
    try {
      renderTemplate('Hi {{first_name}} at {{company}}', { first_name: 'Ada', ...values });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingTemplateValueError);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as MissingTemplateValueError).variable).toBe('company');
    expect((thrown as Error).message).toContain('{{company}}');
  });

  it('should replace every occurrence when a variable is used twice', () => {
    expect(renderTemplate('{{first_name}}, {{first_name|x}}!', { first_name: 'Ada' })).toBe('Ada, Ada!');
  });

  it('should not expand a placeholder when it appears inside a value', () => {
    expect(renderTemplate('Hi {{first_name}}', { first_name: '{{company}}' })).toBe('Hi {{company}}');
  });

  it('should use the fallback when a declared custom field is named like an Object property and the lead lacks it', () => {
    // "constructor" is a valid custom field name (lower-case letters), so a template may use it.
    expect(templateProblems('Hi {{constructor|friend}}', ['constructor'])).toEqual([]);
    expect(renderTemplate('Hi {{constructor|friend}}', leadTemplateValues({
      firstName: 'Ada', lastName: null, company: null, customFields: {},
    }))).toBe('Hi friend');
    expect(() => renderTemplate('Hi {{constructor}}', {})).toThrow(MissingTemplateValueError);
  });
});

describe('leadTemplateValues', () => {
  const lead = (overrides: Partial<Parameters<typeof leadTemplateValues>[0]> = {}) => ({
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: 'Analytical Engines',
    customFields: {} as Record<string, string>,
    ...overrides,
  });

  it('should expose the standard variables under their template names when the lead has them', () => {
    expect(leadTemplateValues(lead())).toEqual({
      first_name: 'Ada',
      last_name: 'Lovelace',
      full_name: 'Ada Lovelace',
      company: 'Analytical Engines',
    });
  });

  it.each([
    ['only a first name', { lastName: null }, 'Ada'],
    ['only a last name', { firstName: null }, 'Lovelace'],
    ['no name', { firstName: null, lastName: null }, null],
  ])('should build full_name from the parts present when the lead has %s', (_label, overrides, expected) => {
    expect(leadTemplateValues(lead(overrides)).full_name).toBe(expected);
  });

  it('should include custom fields when the lead has them', () => {
    expect(leadTemplateValues(lead({ customFields: { industry: 'computing', city: 'London' } }))).toMatchObject({
      industry: 'computing',
      city: 'London',
    });
  });

  it('should not let a custom field override a standard variable when their names clash', () => {
    const values = leadTemplateValues(lead({ customFields: { first_name: 'Mallory', company: 'Evil Corp' } }));
    expect(values.first_name).toBe('Ada');
    expect(values.company).toBe('Analytical Engines');
  });

  it('should render a template end to end with fallbacks when the lead has gaps', () => {
    const values = leadTemplateValues(lead({ firstName: null, company: null, customFields: { industry: 'computing' } }));
    expect(renderTemplate('Hi {{first_name|there}} ({{full_name}}), {{company|your team}} in {{industry}}', values)).toBe(
      'Hi there (Lovelace), your team in computing',
    );
  });
});
