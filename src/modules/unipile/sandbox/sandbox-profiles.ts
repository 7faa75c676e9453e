import type { SeededRandom } from './sandbox-random';
import type { SandboxProfile } from './sandbox-store';

// Word lists for deterministic, plausible-looking fake people. No real persons.
const FIRST_NAMES = [
  'Alice', 'Bruno', 'Camille', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Luca',
  'Maya', 'Nils', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Ugo', 'Vera', 'Wen', 'Xavier', 'Yara', 'Zoe',
];
const LAST_NAMES = [
  'Andersen', 'Bianchi', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Horvat', 'Ivanova', 'Jensen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quintero', 'Rossi', 'Schmidt', 'Tanaka',
  'Ueda', 'Varga', 'Weber', 'Yilmaz', 'Zhang',
];
const ROLES = ['Head of Operations', 'VP Sales', 'Plant Manager', 'CTO', 'Procurement Lead', 'Founder', 'Engineering Manager', 'COO', 'Supply Chain Director', 'Marketing Lead'];
const COMPANIES = ['Acme Tooling', 'Northwind Metals', 'Blue Fjord Logistics', 'Helix Robotics', 'Orchard Foods', 'Quarry Labs', 'Meridian Plastics', 'Solace Energy'];
const LOCATIONS = ['Paris, Île-de-France, France', 'Berlin, Germany', 'Madrid, Spain', 'Milan, Italy', 'Amsterdam, Netherlands', 'Stockholm, Sweden', 'Austin, Texas, United States', 'Toronto, Ontario, Canada'];
const DISTANCES = ['SECOND_DEGREE', 'SECOND_DEGREE', 'THIRD_DEGREE', 'OUT_OF_NETWORK'] as const;

/** Replies a simulated person sends back. */
export const REPLY_TEXTS = [
  'Thanks for reaching out, happy to chat next week.',
  'Interesting, can you send more details?',
  'Not a priority for us right now, but thanks.',
  'Sure, what times work for you?',
  'Please contact our procurement team instead.',
  'Thanks! Let me check with my team and come back to you.',
];

export type ProfileSeed = Partial<
  Pick<SandboxProfile, 'firstName' | 'lastName' | 'headline' | 'location' | 'publicIdentifier' | 'providerId' | 'isOpenProfile' | 'acceptProbability' | 'replyProbability'>
>;

/** A fake LinkedIn member; everything not given comes from the random stream. */
export function generateProfile(rng: SeededRandom, seed: ProfileSeed = {}): SandboxProfile {
  const firstName = seed.firstName ?? rng.pick(FIRST_NAMES);
  const lastName = seed.lastName ?? rng.pick(LAST_NAMES);
  const slugSuffix = rng.chars(6, 'abcdefghijklmnopqrstuvwxyz0123456789');
  return {
    providerId: seed.providerId ?? rng.memberId(),
    publicIdentifier: seed.publicIdentifier ?? `${firstName}-${lastName}-${slugSuffix}`.toLowerCase(),
    firstName,
    lastName,
    headline: seed.headline ?? `${rng.pick(ROLES)} at ${rng.pick(COMPANIES)}`,
    location: seed.location ?? rng.pick(LOCATIONS),
    memberNumber: rng.digits(9),
    networkDistance: rng.pick(DISTANCES),
    isOpenProfile: seed.isOpenProfile ?? rng.chance(0.1),
    followerCount: rng.int(20, 5000),
    connectionsCount: rng.int(50, 500),
    acceptProbability: seed.acceptProbability,
    replyProbability: seed.replyProbability,
  };
}
