import { CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import { allowedTransitions, canTransition, isEditable } from '../../src/modules/campaigns/campaign-status';

const { DRAFT, ACTIVE, PAUSED, COMPLETED, ARCHIVED } = CampaignStatus;
const ALL = [DRAFT, ACTIVE, PAUSED, COMPLETED, ARCHIVED];

// The lifecycle DRAFT → ACTIVE ⇄ PAUSED → COMPLETED → ARCHIVED (an active or paused campaign can be
// completed), plus DRAFT → ARCHIVED and PAUSED → ARCHIVED. Every other pair, including staying put, is refused.
const ALLOWED = new Set<string>([
  `${DRAFT}->${ACTIVE}`,
  `${DRAFT}->${ARCHIVED}`,
  `${ACTIVE}->${PAUSED}`,
  `${ACTIVE}->${COMPLETED}`,
  `${PAUSED}->${ACTIVE}`,
  `${PAUSED}->${COMPLETED}`,
  `${PAUSED}->${ARCHIVED}`,
  `${COMPLETED}->${ARCHIVED}`,
]);

const everyPair = ALL.flatMap((from) => ALL.map((to) => [from, to, ALLOWED.has(`${from}->${to}`)] as const));

describe('canTransition', () => {
  it('should cover all 25 status pairs when the table is built', () => {
    expect(everyPair).toHaveLength(25);
    expect(everyPair.filter(([, , allowed]) => allowed)).toHaveLength(ALLOWED.size);
  });

  it.each(everyPair)('should answer %s → %s with %p', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it.each(ALL)('should refuse staying in %s when asked to move to the same status', (status) => {
    expect(canTransition(status, status)).toBe(false);
  });

  it.each(ALL)('should never lead back to DRAFT when starting from %s', (from) => {
    expect(canTransition(from, DRAFT)).toBe(false);
  });
});

describe('allowedTransitions', () => {
  it.each(ALL)('should list exactly the allowed targets when starting from %s', (from) => {
    const expected = ALL.filter((to) => ALLOWED.has(`${from}->${to}`));
    expect([...allowedTransitions(from)].sort()).toEqual([...expected].sort());
  });

  it('should list nothing when the campaign is ARCHIVED', () => {
    expect(allowedTransitions(ARCHIVED)).toEqual([]);
  });
});

describe('isEditable', () => {
  it.each([
    [DRAFT, true],
    [ACTIVE, true],
    [PAUSED, true],
    [COMPLETED, false],
    [ARCHIVED, false],
  ])('should answer %s with %p', (status, editable) => {
    expect(isEditable(status)).toBe(editable);
  });
});
