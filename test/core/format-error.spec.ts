import { GraphQLError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { DomainError, NotFoundError } from '../../src/core/errors';
import { createErrorFormatter } from '../../src/core/graphql/format-error';
import { createLogger } from '../../src/core/logger';

function format(original: Error) {
  const log = createLogger('silent');
  const logged: unknown[] = [];
  log.error = ((obj: unknown) => logged.push(obj)) as typeof log.error;
  const wrapped = new GraphQLError(original.message, { path: ['field'], originalError: original });
  return { result: createErrorFormatter(log)(wrapped.toJSON(), wrapped), logged };
}

describe('createErrorFormatter', () => {
  it('should keep a domain error message, code and details', () => {
    const { result, logged } = format(new DomainError('CAMPAIGN_NAME_TAKEN', 'Name taken', { name: 'Q4' }));
    expect(result).toMatchObject({ message: 'Name taken', path: ['field'], extensions: { code: 'CAMPAIGN_NAME_TAKEN', name: 'Q4' } });
    expect(logged).toHaveLength(0);
  });

  it('should not let details override the code', () => {
    const { result } = format(new DomainError('X_FAILED', 'x', { code: 'SPOOFED' }));
    expect(result.extensions?.code).toBe('X_FAILED');
  });

  it('should map NotFoundError to NOT_FOUND', () => {
    expect(format(new NotFoundError('Campaign', 'c1')).result.extensions).toEqual({ code: 'NOT_FOUND', id: 'c1' });
  });

  it('should map class-validator failures to BAD_USER_INPUT with the failed fields', () => {
    const error = new ArgumentValidationError([
      { property: 'email', constraints: { isEmail: 'email must be an email' }, children: [] },
    ]);
    const { result } = format(error);
    expect(result.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'email', constraints: ['email must be an email'], children: [] }],
    });
  });

  it('should hide an unexpected error behind INTERNAL_SERVER_ERROR and log it in full', () => {
    const boom = new Error('connection to 10.0.0.3:5432 refused, password=hunter2');
    const { result, logged } = format(boom);
    expect(result).toEqual({ message: 'Internal server error', path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(result)).not.toContain('10.0.0.3');
    expect(logged).toEqual([expect.objectContaining({ err: boom })]);
  });
});
