import { StepKind } from '../../src/modules/campaigns/sequence-step.entity';
import {
  DEFAULT_SEQUENCE,
  type StepDefinition,
  sequenceProblems,
  withDefaults,
} from '../../src/modules/campaigns/sequence';
import { renderTemplate } from '../../src/modules/campaigns/template';

const DAY = 24 * 60;
const YEAR_IN_MINUTES = 365 * DAY;

const invite = (overrides: Partial<StepDefinition> = {}): StepDefinition => ({
  kind: StepKind.INVITE,
  delayMinutes: 0,
  template: null,
  acceptTimeoutDays: null,
  ...overrides,
});
const message = (overrides: Partial<StepDefinition> = {}): StepDefinition => ({
  kind: StepKind.MESSAGE,
  delayMinutes: DAY,
  template: 'Hi {{first_name|there}}',
  acceptTimeoutDays: null,
  ...overrides,
});

/** The step indexes that have at least one problem. */
const stepsWithProblems = (steps: StepDefinition[], customFields: string[] = []) =>
  [...new Set(sequenceProblems(steps, customFields).map((p) => p.step))];

describe('sequenceProblems', () => {
  it('should accept the default sequence when no custom fields are declared', () => {
    expect(sequenceProblems(DEFAULT_SEQUENCE, [])).toEqual([]);
  });

  it.each([
    ['a single INVITE', [invite()]],
    ['a single MESSAGE', [message()]],
    ['only MESSAGE steps', [message(), message(), message()]],
    ['an INVITE with a note, then MESSAGEs', [invite({ template: 'Hi {{first_name}}!' }), message({ acceptTimeoutDays: 10 }), message()]],
  ])('should accept %s', (_label, steps) => {
    expect(sequenceProblems(steps, [])).toEqual([]);
  });

  describe('step count', () => {
    it('should refuse an empty sequence with a sequence-level problem', () => {
      const problems = sequenceProblems([], []);
      expect(problems).toHaveLength(1);
      expect(problems[0].step).toBeNull();
      expect(problems[0].message).toMatch(/at least one step/);
    });

    it('should accept 20 steps when that is the maximum', () => {
      expect(sequenceProblems([invite(), ...Array.from({ length: 19 }, () => message())], [])).toEqual([]);
    });

    it('should refuse 21 steps with a sequence-level problem', () => {
      const problems = sequenceProblems([invite(), ...Array.from({ length: 20 }, () => message())], []);
      expect(problems).toEqual([{ step: null, message: expect.stringMatching(/at most 20 steps/) }]);
    });
  });

  describe('INVITE placement', () => {
    it.each([
      ['second', [message(), invite()], [1]],
      ['last of three', [message(), message(), invite()], [2]],
      ['repeated after the first', [invite(), message(), invite()], [2]],
      ['twice in a row', [invite(), invite()], [1]],
    ])('should refuse an INVITE when it is %s', (_label, steps, badSteps) => {
      const problems = sequenceProblems(steps, []);
      expect(problems.map((p) => p.step)).toEqual(badSteps);
      expect(problems[0].message).toMatch(/INVITE/);
    });
  });

  describe('MESSAGE text', () => {
    it.each([
      ['null', null],
      ['empty', ''],
      ['blank', '  \n\t '],
    ])('should refuse a MESSAGE step when its template is %s', (_label, template) => {
      const problems = sequenceProblems([invite(), message({ template })], []);
      expect(problems).toEqual([{ step: 1, message: expect.stringMatching(/MESSAGE step needs a template/) }]);
    });

    it('should accept an INVITE without a note when the note is optional', () => {
      expect(sequenceProblems([invite({ template: null }), message()], [])).toEqual([]);
    });
  });

  describe('template variables', () => {
    it('should refuse an unknown variable and name it when the step is a MESSAGE', () => {
      const problems = sequenceProblems([message({ template: 'Hi {{nickname}}' })], ['industry']);
      expect(problems).toHaveLength(1);
      expect(problems[0].step).toBe(0);
      expect(problems[0].message).toContain('{{nickname}}');
      expect(problems[0].message).toContain('industry');
    });

    it('should refuse an unknown variable when it is in the invite note', () => {
      expect(stepsWithProblems([invite({ template: 'Hi {{nickname}}' }), message()])).toEqual([0]);
    });

    it('should accept a custom field when it is declared', () => {
      expect(sequenceProblems([message({ template: 'Working in {{industry}}?' })], ['industry'])).toEqual([]);
    });

    it('should refuse a malformed placeholder and quote it when a template has one', () => {
      const problems = sequenceProblems([invite(), message({ template: 'Hi {{first_name, bye' })], []);
      expect(problems).toHaveLength(1);
      expect(problems[0].step).toBe(1);
      expect(problems[0].message).toMatch(/malformed placeholder near "\{\{first_name, bye"/);
    });

    it('should attribute each problem to its own step when several steps are wrong', () => {
      expect(stepsWithProblems([invite(), message({ template: '{{a}}' }), message(), message({ template: '{{b}}' })])).toEqual([1, 3]);
    });
  });

  describe('invite note length', () => {
    it('should accept an invite note of exactly 300 characters', () => {
      expect(sequenceProblems([invite({ template: 'x'.repeat(300) })], [])).toEqual([]);
    });

    it('should refuse an invite note of 301 characters', () => {
      const problems = sequenceProblems([invite({ template: 'x'.repeat(301) })], []);
      expect(problems).toEqual([{ step: 0, message: expect.stringMatching(/300 characters/) }]);
    });

    it('should count variables without fallback as empty when measuring the note', () => {
      expect(sequenceProblems([invite({ template: `${'x'.repeat(300)}{{first_name}}{{company}}` })], [])).toEqual([]);
    });

    it('should count fallbacks when measuring the note', () => {
      expect(stepsWithProblems([invite({ template: `${'x'.repeat(296)}{{first_name|there}}` })])).toEqual([0]);
    });

    it('should not limit a MESSAGE to 300 characters when it is not an invite note', () => {
      expect(sequenceProblems([invite(), message({ template: 'x'.repeat(2000) })], [])).toEqual([]);
    });
  });

  describe('delay bounds', () => {
    it.each([0, 1, DAY, YEAR_IN_MINUTES])('should accept a delay of %i minutes', (delayMinutes) => {
      expect(sequenceProblems([invite({ delayMinutes }), message({ delayMinutes })], [])).toEqual([]);
    });

    it.each([-1, YEAR_IN_MINUTES + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
      'should refuse a delay of %p minutes',
      (delayMinutes) => {
        const problems = sequenceProblems([invite(), message({ delayMinutes })], []);
        expect(problems).toEqual([{ step: 1, message: expect.stringMatching(/delayMinutes/) }]);
      },
    );
  });

  describe('acceptTimeoutDays', () => {
    it.each([1, 21, 365])('should accept %i days when the step is a MESSAGE', (acceptTimeoutDays) => {
      expect(sequenceProblems([invite(), message({ acceptTimeoutDays })], [])).toEqual([]);
    });

    it.each([0, -1, 366])('should refuse %i days when the step is a MESSAGE', (acceptTimeoutDays) => {
      const problems = sequenceProblems([invite(), message({ acceptTimeoutDays })], []);
      expect(problems).toEqual([{ step: 1, message: expect.stringMatching(/acceptTimeoutDays/) }]);
    });

    it('should refuse acceptTimeoutDays on an INVITE even when the value is in range', () => {
      const problems = sequenceProblems([invite({ acceptTimeoutDays: 21 }), message()], []);
      expect(problems).toEqual([{ step: 0, message: expect.stringMatching(/MESSAGE steps only/) }]);
    });
  });

  it('should report every problem when one step breaks several rules', () => {
    const problems = sequenceProblems([message(), invite({ delayMinutes: -5, acceptTimeoutDays: 0 })], []);
    expect(problems.every((p) => p.step === 1)).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});

describe('withDefaults', () => {
  it('should give the first MESSAGE after an INVITE a 21-day accept timeout when none is set', () => {
    const steps = withDefaults([invite(), message(), message()]);
    expect(steps.map((s) => s.acceptTimeoutDays)).toEqual([null, 21, null]);
  });

  it('should keep an explicit accept timeout when the first MESSAGE has one', () => {
    expect(withDefaults([invite(), message({ acceptTimeoutDays: 7 })])[1].acceptTimeoutDays).toBe(7);
  });

  it('should keep explicit timeouts on later MESSAGEs when they are set', () => {
    expect(withDefaults([invite(), message(), message({ acceptTimeoutDays: 3 })]).map((s) => s.acceptTimeoutDays)).toEqual([null, 21, 3]);
  });

  it('should add no accept timeout when the sequence has no INVITE', () => {
    expect(withDefaults([message(), message()]).map((s) => s.acceptTimeoutDays)).toEqual([null, null]);
  });

  it('should turn a blank template into null and keep real text unchanged', () => {
    const steps = withDefaults([invite({ template: '   ' }), message({ template: ' Hi {{first_name}} ' })]);
    expect(steps[0].template).toBeNull();
    expect(steps[1].template).toBe(' Hi {{first_name}} ');
  });

  it('should keep kinds and delays and not mutate its input', () => {
    const input = [invite({ delayMinutes: 5 }), message({ delayMinutes: 60 })];
    const snapshot = structuredClone(input);
    const steps = withDefaults(input);
    expect(steps.map((s) => [s.kind, s.delayMinutes])).toEqual([[StepKind.INVITE, 5], [StepKind.MESSAGE, 60]]);
    expect(input).toEqual(snapshot);
  });

  it('should produce a valid sequence when given a valid one', () => {
    expect(sequenceProblems(withDefaults([invite(), message(), message()]), [])).toEqual([]);
  });
});

describe('DEFAULT_SEQUENCE', () => {
  it('should be an INVITE now, then MESSAGEs at 3, 6 and 9 days', () => {
    expect(DEFAULT_SEQUENCE.map((s) => [s.kind, s.delayMinutes])).toEqual([
      [StepKind.INVITE, 0],
      [StepKind.MESSAGE, 3 * DAY],
      [StepKind.MESSAGE, 6 * DAY],
      [StepKind.MESSAGE, 9 * DAY],
    ]);
  });

  it('should wait 21 days for acceptance before the first MESSAGE only', () => {
    expect(DEFAULT_SEQUENCE.map((s) => s.acceptTimeoutDays)).toEqual([null, 21, null, null]);
  });

  it('should be unchanged by withDefaults when it is already complete', () => {
    expect(withDefaults(DEFAULT_SEQUENCE)).toEqual(DEFAULT_SEQUENCE);
  });

  it('should have MESSAGE texts that render without throwing when the lead has no values', () => {
    for (const step of DEFAULT_SEQUENCE.filter((s) => s.kind === StepKind.MESSAGE)) {
      expect(renderTemplate(step.template!, {})).toMatch(/^Hi there, /);
    }
  });
});
