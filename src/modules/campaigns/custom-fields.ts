import { STANDARD_VARIABLES } from './template';

// Custom lead fields, as campaigns declare them and templates use them ({{job_title}}); CSV
// headers and imported field names follow the same rules.

const CUSTOM_FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const RESERVED = new Set<string>(STANDARD_VARIABLES);

/** "Job Title" → "job_title": how custom field names (and CSV headers) are written in templates. */
export const normalizeFieldName = (name: string): string =>
  name.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** A normalized name that may be a custom field: letters, digits and _, and not a standard variable. */
export const isAllowedCustomFieldName = (name: string): boolean => CUSTOM_FIELD_NAME.test(name) && !RESERVED.has(name);
