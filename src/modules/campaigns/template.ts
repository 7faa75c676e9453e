// Message templates: `{{first_name}}`, `{{company}}`, custom fields (`{{industry}}`), each with an
// optional fallback after a pipe: `{{first_name|there}}`. Unknown names are refused when a step is
// saved; a missing value without fallback is refused when a message is rendered.

export const STANDARD_VARIABLES = ['first_name', 'last_name', 'full_name', 'company'] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}]*))?\}\}/g;

export type Placeholder = { name: string; fallback: string | undefined };

export type TemplateProblem =
  | { kind: 'UNKNOWN_VARIABLE'; name: string }
  | { kind: 'MALFORMED_PLACEHOLDER'; text: string };

export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1], fallback: m[2]?.trim() }));
}

/** Problems with a template, given the campaign's declared custom fields; [] when it is valid. */
export function templateProblems(template: string, customFields: readonly string[]): TemplateProblem[] {
  const known = new Set<string>([...STANDARD_VARIABLES, ...customFields]);
  const problems: TemplateProblem[] = placeholders(template)
    .filter((p) => !known.has(p.name))
    .map((p) => ({ kind: 'UNKNOWN_VARIABLE', name: p.name }));
  const leftover = template.replace(PLACEHOLDER, '');
  const stray = /\{\{[^]*?(\}\}|$)|\}\}/.exec(leftover);
  if (stray) problems.push({ kind: 'MALFORMED_PLACEHOLDER', text: stray[0].slice(0, 40) });
  return problems;
}

/** The shortest text a template can render to (every variable empty or its fallback). */
export function minimumRenderedLength(template: string): number {
  return template.replace(PLACEHOLDER, (_m, _name: string, fallback?: string) => fallback?.trim() ?? '').length;
}

export class MissingTemplateValueError extends Error {
  constructor(readonly variable: string) {
    super(`No value for {{${variable}}} and no fallback`);
  }
}

export type TemplateValues = Record<string, string | null | undefined>;

/** Renders a validated template; throws MissingTemplateValueError when a value and its fallback are both missing. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_m, name: string, fallback?: string) => {
    const value = Object.hasOwn(values, name) ? values[name]?.trim() : undefined;
    if (value) return value;
    if (fallback !== undefined) return fallback.trim();
    throw new MissingTemplateValueError(name);
  });
}

/** The values a lead offers to templates. */
export function leadTemplateValues(lead: {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  customFields: Record<string, string>;
}): TemplateValues {
  const fullName = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  return {
    ...lead.customFields,
    first_name: lead.firstName,
    last_name: lead.lastName,
    full_name: fullName || null,
    company: lead.company,
  };
}
