import { normalizeFieldName } from '../../src/modules/campaigns/custom-fields';
import { LeadError } from '../../src/modules/leads/lead.errors';
import {
  type CsvRow,
  type LeadCandidate,
  type RawLead,
  type RowProblem,
  isProblem,
  parseLeadsCsv,
  validateLead,
} from '../../src/modules/leads/lead-rows';

const PROVIDER_ID = 'ACoAAB1cDeFgHiJk';

function candidate(raw: RawLead, row = 1): LeadCandidate {
  const result = validateLead(row, raw);
  if (isProblem(result)) throw new Error(`expected a candidate, got: ${result.reason}`);
  return result;
}

function problem(raw: RawLead, row = 1): RowProblem {
  const result = validateLead(row, raw);
  if (!isProblem(result)) throw new Error('expected a problem');
  return result;
}

function csvError(csv: string): LeadError {
  try {
    parseLeadsCsv(csv);
  } catch (error) {
    if (error instanceof LeadError) return error;
    throw error;
  }
  throw new Error('expected a LeadError');
}

const leadOf = (row: CsvRow): RawLead => {
  if ('reason' in row) throw new Error(`expected a lead on row ${row.row}, got: ${row.reason}`);
  return row.lead;
};

describe('normalizeFieldName', () => {
  it.each([
    ['Job Title', 'job_title'],
    ['  Job   Title  ', 'job_title'],
    ['job-title', 'job_title'],
    ['Job - Title', 'job_title'],
    ['LinkedIn URL', 'linkedin_url'],
    ['first_name', 'first_name'],
    ['FIRSTNAME', 'firstname'],
    ['Tab\tSeparated', 'tab_separated'],
  ])('should turn %p into %p', (input, expected) => {
    expect(normalizeFieldName(input)).toBe(expected);
  });
});

describe('validateLead', () => {
  describe('identifiers', () => {
    it('should normalize a profile URL into the public identifier when it is given', () => {
      expect(candidate({ publicIdentifier: 'https://www.linkedin.com/in/John-Doe/' })).toMatchObject({
        publicIdentifier: 'john-doe',
        providerId: null,
      });
    });

    it('should keep a provider id trimmed when it is the only identifier', () => {
      expect(candidate({ providerId: `  ${PROVIDER_ID} ` })).toMatchObject({ publicIdentifier: null, providerId: PROVIDER_ID });
    });

    it('should keep both identifiers when both are given', () => {
      expect(candidate({ publicIdentifier: 'john-doe', providerId: PROVIDER_ID })).toMatchObject({
        publicIdentifier: 'john-doe',
        providerId: PROVIDER_ID,
      });
    });

    it.each([
      ['nothing', {}],
      ['nulls', { publicIdentifier: null, providerId: null }],
      ['blank strings', { publicIdentifier: '  ', providerId: '' }],
    ])('should require an identifier when the row has %s', (_label, raw) => {
      expect(problem(raw, 7)).toEqual({ row: 7, reason: expect.stringMatching(/required/) });
    });

    it('should refuse a bad public identifier and quote it when it is not a slug or profile URL', () => {
      expect(problem({ publicIdentifier: 'https://example.com/john', providerId: PROVIDER_ID }, 3)).toEqual({
        row: 3,
        reason: expect.stringContaining('"https://example.com/john"'),
      });
    });

    it('should cut the quoted identifier to 120 characters when it is long', () => {
      const reason = problem({ publicIdentifier: `bad id ${'x'.repeat(300)}` }).reason;
      expect(reason).toContain(`"bad id ${'x'.repeat(113)}"`);
      expect(reason).not.toContain('x'.repeat(114));
    });

    it('should refuse a bad provider id even when the public identifier is valid', () => {
      expect(problem({ publicIdentifier: 'john-doe', providerId: 'short' }).reason).toMatch(/"short" is not a LinkedIn member id/);
    });
  });

  describe('names and company', () => {
    it('should trim values and turn blanks into null when they are given', () => {
      expect(candidate({ publicIdentifier: 'john-doe', firstName: '  John ', lastName: '   ', company: undefined })).toMatchObject({
        firstName: 'John',
        lastName: null,
        company: null,
      });
    });

    it.each([
      ['firstName', 100],
      ['lastName', 100],
      ['company', 200],
    ] as const)('should accept %s at its limit of %i characters and refuse one more', (field, max) => {
      expect(candidate({ publicIdentifier: 'john-doe', [field]: 'a'.repeat(max) })[field]).toBe('a'.repeat(max));
      expect(problem({ publicIdentifier: 'john-doe', [field]: 'a'.repeat(max + 1) }).reason).toBe(
        `${field} is longer than ${max} characters`,
      );
    });

    it('should measure the length after trimming when the value has surrounding spaces', () => {
      expect(candidate({ publicIdentifier: 'john-doe', firstName: ` ${'a'.repeat(100)} ` }).firstName).toHaveLength(100);
    });
  });

  describe('custom fields', () => {
    it('should normalize names and stringify numbers and booleans when they are given', () => {
      expect(
        candidate({ publicIdentifier: 'john-doe', customFields: { 'Job Title': ' CTO ', Employees: 42, 'is-hiring': true } }).customFields,
      ).toEqual({ job_title: 'CTO', employees: '42', is_hiring: 'true' });
    });

    it('should drop empty values when they are null, undefined, empty or blank', () => {
      expect(
        candidate({ publicIdentifier: 'john-doe', customFields: { a: null, b: undefined, c: '', d: '   ', e: 'kept' } }).customFields,
      ).toEqual({ e: 'kept' });
    });

    it('should give an empty object when there are no custom fields', () => {
      expect(candidate({ publicIdentifier: 'john-doe', customFields: null }).customFields).toEqual({});
      expect(candidate({ publicIdentifier: 'john-doe' }).customFields).toEqual({});
    });

    it.each([
      ['a standard variable', 'first_name'],
      ['a standard variable written differently', 'Full Name'],
      ['a name starting with a digit', '1st'],
      ['a name starting with an underscore', '_x'],
      ['a name with punctuation', 'job.title'],
      ['an empty name', ''],
      ['a name over 40 characters', 'a'.repeat(41)],
    ])('should refuse %s as a custom field name', (_label, name) => {
      expect(problem({ publicIdentifier: 'john-doe', customFields: { [name]: 'x' } }).reason).toContain(`"${name}"`);
    });

    it('should accept a custom field name of exactly 40 characters', () => {
      const name = 'a'.repeat(40);
      expect(candidate({ publicIdentifier: 'john-doe', customFields: { [name]: 'x' } }).customFields).toEqual({ [name]: 'x' });
    });

    it.each([
      ['an object', { nested: true }],
      ['an array', ['a', 'b']],
    ])('should refuse a custom value when it is %s', (_label, value) => {
      expect(problem({ publicIdentifier: 'john-doe', customFields: { industry: value } }).reason).toMatch(/custom field industry must be text/);
    });

    it('should accept a value of 1000 characters and refuse one of 1001', () => {
      expect(candidate({ publicIdentifier: 'john-doe', customFields: { bio: 'a'.repeat(1000) } }).customFields.bio).toHaveLength(1000);
      expect(problem({ publicIdentifier: 'john-doe', customFields: { bio: 'a'.repeat(1001) } }).reason).toMatch(/bio is longer than 1000/);
    });

    it('should accept 50 custom fields and refuse 51', () => {
      const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'x']));
      expect(Object.keys(candidate({ publicIdentifier: 'john-doe', customFields: fields(50) }).customFields)).toHaveLength(50);
      expect(problem({ publicIdentifier: 'john-doe', customFields: fields(51) }).reason).toMatch(/at most 50 custom fields/);
    });
  });

  it('should keep the row number it was given when the lead is valid', () => {
    expect(candidate({ publicIdentifier: 'john-doe' }, 42).row).toBe(42);
  });
});

describe('parseLeadsCsv', () => {
  it('should map standard columns and number rows by their CSV line when the CSV is simple', () => {
    const rows = parseLeadsCsv('public_identifier,first_name,last_name,company\njohn-doe,John,Doe,Acme\njane-roe,Jane,Roe,Initech\n');
    expect(rows).toEqual([
      { row: 2, lead: { publicIdentifier: 'john-doe', firstName: 'John', lastName: 'Doe', company: 'Acme', customFields: {} } },
      { row: 3, lead: { publicIdentifier: 'jane-roe', firstName: 'Jane', lastName: 'Roe', company: 'Initech', customFields: {} } },
    ]);
  });

  it.each([
    ['linkedin_url', 'publicIdentifier'],
    ['LinkedIn URL', 'publicIdentifier'],
    ['profile_url', 'publicIdentifier'],
    ['Profile URL', 'publicIdentifier'],
    ['linkedin', 'publicIdentifier'],
    ['url', 'publicIdentifier'],
    ['public-identifier', 'publicIdentifier'],
    ['provider_id', 'providerId'],
    ['member_id', 'providerId'],
    ['Member ID', 'providerId'],
  ])('should read the %p column as %s', (header, field) => {
    const [row] = parseLeadsCsv(`${header}\nvalue-1234\n`);
    expect(leadOf(row)).toEqual({ [field]: 'value-1234', customFields: {} });
  });

  it.each([
    ['firstname', 'firstName'],
    ['First Name', 'firstName'],
    ['lastname', 'lastName'],
    ['Last-Name', 'lastName'],
    ['company_name', 'company'],
    ['Company', 'company'],
  ])('should read the %p column as %s', (header, field) => {
    const [row] = parseLeadsCsv(`member_id,${header}\n${PROVIDER_ID},value\n`);
    expect(leadOf(row)).toEqual({ providerId: PROVIDER_ID, [field]: 'value', customFields: {} });
  });

  it('should turn extra columns into custom fields with normalized names when they are not standard', () => {
    const [row] = parseLeadsCsv('linkedin_url,Job Title,industry\nhttps://www.linkedin.com/in/john-doe,CTO,Software\n');
    expect(leadOf(row)).toEqual({
      publicIdentifier: 'https://www.linkedin.com/in/john-doe',
      customFields: { job_title: 'CTO', industry: 'Software' },
    });
  });

  it('should trim cells when they have surrounding spaces', () => {
    const [row] = parseLeadsCsv('public_identifier , first_name\n  john-doe ,  John \n');
    expect(leadOf(row)).toEqual({ publicIdentifier: 'john-doe', firstName: 'John', customFields: {} });
  });

  it('should strip a byte-order mark when the text starts with one', () => {
    const [row] = parseLeadsCsv('\uFEFFpublic_identifier,first_name\njohn-doe,John\n');
    expect(leadOf(row)).toEqual({ publicIdentifier: 'john-doe', firstName: 'John', customFields: {} });
  });

  it('should keep commas inside quoted cells when they are quoted', () => {
    const [row] = parseLeadsCsv('public_identifier,company\njohn-doe,"Acme, Inc."\n');
    expect(leadOf(row).company).toBe('Acme, Inc.');
  });

  it('should unescape doubled quotes when a quoted cell has them', () => {
    const [row] = parseLeadsCsv('public_identifier,company\njohn-doe,"The ""Best"" Co"\n');
    expect(leadOf(row).company).toBe('The "Best" Co');
  });

  it('should keep newlines inside quoted cells and number the following rows by their real line', () => {
    const rows = parseLeadsCsv('public_identifier,note\njohn-doe,"line one\nline two"\njane-roe,short\n');
    expect(rows).toHaveLength(2);
    expect(leadOf(rows[0]).customFields).toEqual({ note: 'line one\nline two' });
    expect(rows[1]).toEqual({ row: 4, lead: { publicIdentifier: 'jane-roe', customFields: { note: 'short' } } });
  });

  it('should skip blank lines while keeping line numbers when the CSV has them', () => {
    const rows = parseLeadsCsv('public_identifier\n\njohn-doe\n\n\njane-roe\n\n');
    expect(rows.map((r) => [r.row, leadOf(r).publicIdentifier])).toEqual([
      [3, 'john-doe'],
      [6, 'jane-roe'],
    ]);
  });

  it('should handle Windows line endings when the CSV uses them', () => {
    const rows = parseLeadsCsv('public_identifier,first_name\r\njohn-doe,John\r\njane-roe,Jane\r\n');
    expect(rows).toEqual([
      { row: 2, lead: { publicIdentifier: 'john-doe', firstName: 'John', customFields: {} } },
      { row: 3, lead: { publicIdentifier: 'jane-roe', firstName: 'Jane', customFields: {} } },
    ]);
  });

  it('should accept a last row without a trailing newline', () => {
    expect(parseLeadsCsv('public_identifier\njohn-doe').map(leadOf)).toEqual([{ publicIdentifier: 'john-doe', customFields: {} }]);
  });

  it('should give no rows when there is only a header', () => {
    expect(parseLeadsCsv('public_identifier,first_name\n')).toEqual([]);
  });

  it('should report a row with too few or too many columns and keep the good rows around it', () => {
    const rows = parseLeadsCsv('public_identifier,first_name,company\njohn-doe,John\njane-roe,Jane,Initech\nbob,Bob,Acme,extra\n');
    expect(rows).toEqual([
      { row: 2, reason: expect.stringMatching(/expected 3 columns, found 2/) },
      { row: 3, lead: { publicIdentifier: 'jane-roe', firstName: 'Jane', company: 'Initech', customFields: {} } },
      { row: 4, reason: expect.stringMatching(/expected 3 columns, found 4/) },
    ]);
  });

  it('should pass an all-empty row on for validation when it has the right number of columns', () => {
    const [row] = parseLeadsCsv('public_identifier,first_name\n,\n');
    const lead = leadOf(row);
    expect(isProblem(validateLead(row.row, lead))).toBe(true);
  });

  it.each([
    ['an empty text', ''],
    ['only blank lines', '\n\n\n'],
    ['a header without an identifier column', 'first_name,last_name,company\nJohn,Doe,Acme\n'],
    ['a header with only custom columns', 'name,email\nJohn,john@example.com\n'],
    ['an unclosed quote', 'public_identifier,company\njohn-doe,"Acme\n'],
    ['a quote in the middle of an unquoted cell followed by junk', 'public_identifier,company\n"john-doe"x,Acme\n'],
  ])('should refuse the whole import with INVALID_CSV when the CSV has %s', (_label, csv) => {
    const error = csvError(csv);
    expect(error.code).toBe('INVALID_CSV');
  });

  it('should name the normalized header in the error details when the identifier column is missing', () => {
    expect(csvError('First Name,Company\nJohn,Acme\n').details).toEqual({ header: ['first_name', 'company'] });
  });

  it('should produce leads that validate end to end when the CSV is well formed', () => {
    const rows = parseLeadsCsv(
      `LinkedIn URL,Member ID,First Name,Company,Job Title\nhttps://uk.linkedin.com/in/John-Doe/,${PROVIDER_ID},John,"Acme, Inc.",CTO\n`,
    );
    const result = validateLead(rows[0].row, leadOf(rows[0]));
    expect(result).toEqual({
      row: 2,
      publicIdentifier: 'john-doe',
      providerId: PROVIDER_ID,
      firstName: 'John',
      lastName: null,
      company: 'Acme, Inc.',
      customFields: { job_title: 'CTO' },
    });
  });
});
