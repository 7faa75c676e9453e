import { DomainError } from '../../../core/errors';

export type SimulationErrorCode = 'SIMULATION_LIMIT_REACHED' | 'SIMULATION_FAILED';

export class SimulationError extends DomainError {
  constructor(code: SimulationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
