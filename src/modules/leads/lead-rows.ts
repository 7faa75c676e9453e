import { parse } from 'csv-parse/sync';
import { isAllowedCustomFieldName, normalizeFieldName } from '../campaigns';
import { LeadError } from './lead.errors';
import { normalizeProviderId, normalizePublicIdentifier } from './lead-identity';

// Turning raw input (a list or CSV text) into validated lead candidates, row by row: a bad row is
// reported and never stops the good ones.

export type RawLead = {
  publicIdentifier?: string | null;
  providerId?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  customFields?: Record<string, unknown> | null;
};

export type LeadCandidate = {
  row: number;
  publicIdentifier: string | null;
  providerId: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  customFields: Record<string, string>;
};

export type RowProblem = { row: number; reason: string };

const MAX_CUSTOM_FIELDS = 50;
const MAX_CUSTOM_VALUE = 1000;

export function validateLead(row: number, raw: RawLead): LeadCandidate | RowProblem {
  const problem = (reason: string): RowProblem => ({ row, reason });
  const rawPublic = raw.publicIdentifier?.trim() || null;
  const rawProvider = raw.providerId?.trim() || null;
  if (!rawPublic && !rawProvider) return problem('a public identifier (or profile URL) or a provider id is required');
  const publicIdentifier = rawPublic ? normalizePublicIdentifier(rawPublic) : null;
  if (publicIdentifier === undefined) return problem(`"${rawPublic!.slice(0, 120)}" is not a LinkedIn public identifier or profile URL`);
  const providerId = rawProvider ? normalizeProviderId(rawProvider) : null;
  if (providerId === undefined) return problem(`"${rawProvider!.slice(0, 120)}" is not a LinkedIn member id`);

  const text = (value: string | null | undefined, field: string, max: number): string | null | RowProblem => {
    const v = value?.trim() || null;
    return v && v.length > max ? problem(`${field} is longer than ${max} characters`) : v;
  };
  const firstName = text(raw.firstName, 'firstName', 100);
  const lastName = text(raw.lastName, 'lastName', 100);
  const company = text(raw.company, 'company', 200);
  for (const v of [firstName, lastName, company]) if (v && typeof v === 'object') return v;

  const customFields: Record<string, string> = {};
  const entries = Object.entries(raw.customFields ?? {});
  if (entries.length > MAX_CUSTOM_FIELDS) return problem(`at most ${MAX_CUSTOM_FIELDS} custom fields`);
  for (const [rawName, rawValue] of entries) {
    const name = normalizeFieldName(rawName);
    if (!isAllowedCustomFieldName(name)) {
      return problem(`"${rawName}" cannot be a custom field name (letters, digits and _, not a standard field)`);
    }
    if (rawValue === null || rawValue === undefined || rawValue === '') continue;
    if (typeof rawValue === 'object') return problem(`custom field ${name} must be text, a number or true/false`);
    const value = String(rawValue).trim();
    if (value.length > MAX_CUSTOM_VALUE) return problem(`custom field ${name} is longer than ${MAX_CUSTOM_VALUE} characters`);
    if (value) customFields[name] = value;
  }
  return {
    row,
    publicIdentifier,
    providerId,
    firstName: firstName as string | null,
    lastName: lastName as string | null,
    company: company as string | null,
    customFields,
  };
}

export const isProblem = (v: object): v is RowProblem => 'reason' in v;

// CSV header names (normalized) that map onto lead fields; any other column is a custom field.
const COLUMN_ALIASES: Record<string, keyof Omit<RawLead, 'customFields'>> = {
  public_identifier: 'publicIdentifier',
  linkedin_url: 'publicIdentifier',
  profile_url: 'publicIdentifier',
  linkedin: 'publicIdentifier',
  url: 'publicIdentifier',
  provider_id: 'providerId',
  member_id: 'providerId',
  first_name: 'firstName',
  firstname: 'firstName',
  last_name: 'lastName',
  lastname: 'lastName',
  company: 'company',
  company_name: 'company',
};

export type CsvRow = { row: number; lead: RawLead } | RowProblem;

/**
 * Parses CSV text with a header row (csv-parse). Rows are numbered by their line in the text. A
 * row with the wrong number of columns is reported; unparseable text (an unclosed quote) refuses
 * the whole import with INVALID_CSV, before anything is written.
 */
export function parseLeadsCsv(csv: string): CsvRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    throw new LeadError('INVALID_CSV', `The CSV cannot be parsed: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new LeadError('INVALID_CSV', 'The CSV is empty: a header row is required');
  const header = records[0].record.map(normalizeFieldName);
  const fields = header.map((name) => COLUMN_ALIASES[name]);
  if (!fields.includes('publicIdentifier') && !fields.includes('providerId')) {
    throw new LeadError('INVALID_CSV', 'The header needs a public_identifier (or linkedin_url) or provider_id column', {
      header,
    });
  }
  return records.slice(1).map(({ record, info }): CsvRow => {
    if (record.length !== header.length) {
      return { row: info.lines, reason: `expected ${header.length} columns, found ${record.length}` };
    }
    const lead: RawLead = { customFields: {} };
    record.forEach((value, i) => {
      const field = fields[i];
      if (field) lead[field] = value;
      else lead.customFields![header[i]] = value;
    });
    return { row: info.lines, lead };
  });
}
