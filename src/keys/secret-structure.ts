/**
 * How many guesses a secret written as text costs an attacker who knows how people write secrets:
 * words, digits, keyboard walks, runs like "abcd", repeats. A minimum-cost split of the text into such
 * pieces (in the spirit of zxcvbn, without its dictionaries) gives an estimate in bits; random text has
 * no cheap pieces and keeps its full length times the bits of its alphabet.
 */

/** A kind of structure found in a secret, as the refusal names it. */
export type SecretStructure =
  'English words' | 'a keyboard walk' | 'a character sequence' | 'repeated text' | 'digits';

/** The estimate of {@link estimateStructuredBits}: bits, and the structures it found (largest first). */
export interface StructureEstimate {
  readonly bits: number;
  readonly found: readonly SecretStructure[];
  /** The share of the letters and digits (0 to 1) that the cheapest split reads as English words. */
  readonly wordShare: number;
}

// Longer texts are long enough to be strong unless they repeat, which the caller checks separately.
const MAX_ANALYSED = 256;
const MAX_PIECE = 64;
const WORD_MIN_BITS = 12;

// Rows and columns of a US keyboard, unshifted and shifted: neighbours on one of these lines walk.
const KEYBOARD_LINES = [
  '`1234567890-=',
  'qwertyuiop[]\\',
  "asdfghjkl;'",
  'zxcvbnm,./',
  '~!@#$%^&*()_+',
  'QWERTYUIOP{}|',
  'ASDFGHJKL:"',
  'ZXCVBNM<>?',
  ...['1qaz', '2wsx', '3edc', '4rfv', '5tgb', '6yhn', '7ujm', '8ik,', '9ol.', '0p;/'],
  ...['!QAZ', '@WSX', '#EDC', '$RFV', '%TGB', '^YHN', '&UJM', '*IK<', '(OL>', ')P:?'],
];
const NEIGHBOURS = buildNeighbours();

// Substitutions people make inside words ("S3cr3t", "p@ssw0rd").
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

// The commonest letter pairs of English text and its shortest words, as any primer lists them: letter
// runs made mostly of these pairs read as words; random letters rarely do (about 1 pair in 7).
const COMMON_PAIRS = new Set(
  (
    'th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve ' +
    'co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns ge ly ei os no pe do ' +
    'su pa ec ac ot di ol tr sh ad wa et us il ow rs ct ss em ee ut ke ir wh ai ay ie ho im mo mi ' +
    'ig un id ev ab ap pr po pl am bl ag ue ey ck oo ry ge fo fi ke ni vi sa so ts ul op ly ow gh ' +
    'ht ry ew av rd rt rn rm wo iv ga cr ci ua ui ph'
  ).split(' '),
);
const SHORT_WORDS = new Set(
  'a i is to my of in it on at be by we an or as do go me no so up us if he the and for you key new'.split(
    ' ',
  ),
);

interface Piece {
  readonly end: number;
  readonly bits: number;
  readonly kind: SecretStructure | undefined;
}

/**
 * Estimates the bits an attacker must guess for `text`, by its cheapest split into structured pieces.
 *
 * @example
 * ```ts
 * estimateStructuredBits('ThisIsMySuperSecretKey123456789!').found; // ['English words', 'a character sequence', ...]
 * ```
 */
export function estimateStructuredBits(text: string): StructureEstimate {
  const chars = Array.from(text.slice(0, MAX_ANALYSED));
  const perChar = Math.log2(alphabetSize(chars));
  const n = chars.length;
  const best: { bits: number; from: number; kind: SecretStructure | undefined }[] = [
    { bits: 0, from: -1, kind: undefined },
  ];
  for (let i = 1; i <= n; i++) best.push({ bits: Infinity, from: -1, kind: undefined });
  for (let i = 0; i < n; i++) {
    const here = best[i] as { bits: number };
    for (const piece of piecesAt(chars, i, perChar)) {
      const next = best[piece.end] as { bits: number; from: number; kind: unknown };
      if (here.bits + piece.bits < next.bits)
        Object.assign(next, { bits: here.bits + piece.bits, from: i, kind: piece.kind });
    }
  }
  const covered = new Map<SecretStructure, number>();
  for (let end = n; end > 0;) {
    const step = best[end] as { from: number; kind: SecretStructure | undefined };
    if (step.kind !== undefined)
      covered.set(step.kind, (covered.get(step.kind) ?? 0) + end - step.from);
    end = step.from;
  }
  const found = [...covered.entries()].sort((a, b) => b[1] - a[1]).map(([kind]) => kind);
  return {
    bits: (best[n] as { bits: number }).bits,
    found,
    wordShare: (covered.get('English words') ?? 0) / Math.max(1, alphanumerics(chars)),
  };
}

/**
 * The shortest chunk whose repetition makes up the whole text (a trailing partial copy allowed), or
 * undefined when the text does not repeat.
 *
 * @example
 * ```ts
 * repeatingChunk('abc123abc123abc1'); // 'abc123'
 * ```
 */
export function repeatingChunk(text: string): string | undefined {
  for (let size = 1; size <= text.length / 2; size++) {
    let repeats = true;
    for (let i = size; i < text.length && repeats; i++) repeats = text[i] === text[i - size];
    if (repeats) return text.slice(0, size);
  }
  return undefined;
}

function piecesAt(chars: readonly string[], start: number, perChar: number): Piece[] {
  const pieces: Piece[] = [{ end: start + 1, bits: perChar, kind: undefined }];
  const limit = Math.min(chars.length, start + MAX_PIECE);
  const sequenceEnd = runEnd(chars, start, limit, isSequenceStep);
  if (sequenceEnd - start >= 3)
    pieces.push({
      end: sequenceEnd,
      bits: perChar + Math.log2(sequenceEnd - start) + 2,
      kind: sequenceKind(chars, start),
    });
  const walkEnd = runEnd(chars, start, limit, (a, b) => NEIGHBOURS.get(a)?.has(b) === true);
  if (walkEnd - start >= 4)
    pieces.push({
      end: walkEnd,
      bits: perChar + (walkEnd - start - 1) * 1.5,
      kind: 'a keyboard walk',
    });
  const digitsEnd = runEnd(chars, start, limit, (_a, b) => /[0-9]/.test(b));
  if (/[0-9]/.test(chars[start] as string) && digitsEnd - start >= 4 && digitsEnd - start <= 8) {
    // Years, dates and PINs: people pick these, not random digits.
    pieces.push({ end: digitsEnd, bits: Math.min(14, (digitsEnd - start) * 3.32), kind: 'digits' });
  }
  for (const word of wordsAt(chars, start, limit)) pieces.push(word);
  const char = chars[start] as string;
  if (/[^a-z0-9]/i.test(char) && chars.slice(0, start).includes(char))
    // The same separator again ("my_jwt_secret_key"): one guess, not a new symbol.
    pieces.push({ end: start + 1, bits: 1, kind: undefined });
  const repeat = earlierCopy(chars, start, limit);
  if (repeat !== undefined)
    pieces.push({ end: start + repeat, bits: Math.log2(start + 1) + 4, kind: 'repeated text' });
  return pieces;
}

function sequenceKind(chars: readonly string[], start: number): SecretStructure {
  return chars[start] === chars[start + 1] ? 'repeated text' : 'a character sequence';
}

function isSequenceStep(a: string, b: string, previous?: string): boolean {
  const step = (b.codePointAt(0) as number) - (a.codePointAt(0) as number);
  if (Math.abs(step) > 2) return false;
  return (
    previous === undefined ||
    step === (a.codePointAt(0) as number) - (previous.codePointAt(0) as number)
  );
}

function runEnd(
  chars: readonly string[],
  start: number,
  limit: number,
  continues: (a: string, b: string, previous?: string) => boolean,
): number {
  let end = start + 1;
  while (
    end < limit &&
    continues(
      chars[end - 1] as string,
      chars[end] as string,
      end - 2 >= start ? chars[end - 2] : undefined,
    )
  )
    end++;
  return end;
}

// Letter runs (after undoing leet) with one case shape (word, Word, WORD) that read as English (mostly
// common letter pairs, or one of the shortest words): about 2.6 bits a letter to guess, at least 12
// for a word, 6 for a short one; random letters keep their full cost.
function wordsAt(chars: readonly string[], start: number, limit: number): Piece[] {
  const pieces: Piece[] = [];
  let letters = '';
  let leet = 0;
  for (let end = start; end < Math.min(limit, start + 24); end++) {
    const char = chars[end] as string;
    const inside = end > start && end + 1 < chars.length && /[a-z]/i.test(chars[end + 1] as string);
    const letter = /[a-z]/i.test(char) ? char : inside ? LEET[char] : undefined;
    if (letter === undefined) break;
    if (letter !== char) leet++;
    letters += letter;
    if (!hasOneCaseShape(letters)) break;
    const lower = letters.toLowerCase();
    const bits = SHORT_WORDS.has(lower)
      ? 6
      : letters.length >= 3 && readsAsWord(lower)
        ? Math.max(WORD_MIN_BITS, letters.length * 2.6)
        : undefined;
    if (bits !== undefined)
      pieces.push({
        end: end + 1,
        bits: bits + (letters === lower ? 0 : 1) + leet,
        kind: 'English words',
      });
  }
  return pieces;
}

function hasOneCaseShape(letters: string): boolean {
  return /^([a-z]+|[A-Z][a-z]+|[A-Z]+)$/.test(letters);
}

function readsAsWord(word: string): boolean {
  let common = 0;
  for (let i = 1; i < word.length; i++) if (COMMON_PAIRS.has(word.slice(i - 1, i + 1))) common++;
  return common / (word.length - 1) >= 2 / 3 && /[aeiouy]/.test(word);
}

// The longest stretch from `start` (4+ characters) that already appeared earlier in the text.
function earlierCopy(chars: readonly string[], start: number, limit: number): number | undefined {
  let bestLength = 0;
  for (let from = 0; from < start; from++) {
    let length = 0;
    while (start + length < limit && chars[from + length] === chars[start + length]) length++;
    if (length > bestLength) bestLength = length;
  }
  return bestLength >= 4 ? bestLength : undefined;
}

function alphanumerics(chars: readonly string[]): number {
  return chars.filter((c) => /[a-z0-9]/i.test(c)).length;
}

function alphabetSize(chars: readonly string[]): number {
  let size = 0;
  if (chars.some((c) => /[a-z]/.test(c))) size += 26;
  if (chars.some((c) => /[A-Z]/.test(c))) size += 26;
  if (chars.some((c) => /[0-9]/.test(c))) size += 10;
  if (chars.some((c) => /[^a-zA-Z0-9]/.test(c))) size += 33;
  return Math.max(size, 2);
}

function buildNeighbours(): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    if (!map.has(a)) map.set(a, new Set());
    (map.get(a) as Set<string>).add(b);
  };
  for (const line of KEYBOARD_LINES) {
    for (let i = 1; i < line.length; i++) {
      link(line[i - 1] as string, line[i] as string);
      link(line[i] as string, line[i - 1] as string);
    }
  }
  return map;
}
