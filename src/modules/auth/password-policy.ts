import { weakPassword } from './auth.errors';
import { PASSWORD_MIN_LENGTH } from './auth.types';

// Long enough yet guessed first: the commonest passwords of 12+ characters in breach corpora,
// and keyboard or digit runs. Checked lower-cased.
const COMMON = new Set([
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'qwertyuiopas', 'qwertyuiop12',
  'qwerty123456', '123456789012', '1234567890ab', 'abcdefghijkl', 'iloveyou1234', 'letmein12345',
  'administrator', 'admin1234567', 'welcome12345', 'changeme1234', 'abc123456789', '1q2w3e4r5t6y',
  '1qaz2wsx3edc', 'qazwsxedcrfv', 'zaq12wsxcde3', 'asdfghjkl123', 'football1234', 'baseball1234',
  'superman1234', 'trustno11234', 'monkey123456', 'dragon123456', 'sunshine1234', 'princess1234',
]);

/** Throws WEAK_PASSWORD for a password that meets the length but is trivially guessed. */
export function assertPasswordStrength(password: string, email: string): void {
  const lower = password.toLowerCase();
  const localPart = email.trim().toLowerCase().split('@')[0] ?? '';
  if (COMMON.has(lower)) throw weakPassword('is one of the most common passwords');
  if (new Set(lower).size <= 2) throw weakPassword('repeats one or two characters');
  if (isRun(lower)) throw weakPassword('is a run of consecutive characters');
  if (localPart.length >= 4 && lower.replaceAll(localPart, '').length < PASSWORD_MIN_LENGTH / 2) {
    throw weakPassword('is mostly the email address');
  }
}

// "abcdef…", "987654…": every step between neighbours is the same +1 or -1.
function isRun(s: string): boolean {
  const step = s.charCodeAt(1) - s.charCodeAt(0);
  if (Math.abs(step) !== 1) return false;
  for (let i = 2; i < s.length; i++) if (s.charCodeAt(i) - s.charCodeAt(i - 1) !== step) return false;
  return true;
}
