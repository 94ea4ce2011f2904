/**
 * A strict RFC 4180 reader for import files: comma-separated, fields optionally in double quotes
 * (a quote inside written twice; commas and line breaks allowed inside quotes), CRLF or LF. A quote
 * in the middle of an unquoted field, text after a closing quote, or a quote never closed makes that
 * record malformed instead of being guessed at.
 */

/** One record: its fields, or the problem that made it unreadable, and the line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields?: readonly string[];
  readonly problem?: string;
}

/**
 * Splits CSV text into records; blank lines are skipped.
 *
 * @example
 * ```ts
 * parseCsv('a,"b ""c""",d\n'); // [{ line: 1, fields: ['a', 'b "c"', 'd'] }]
 * ```
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let problem: string | undefined;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) {
            problem = 'a quoted field is never closed';
            break;
          }
          const char = text[i] as string;
          if (char === '"' && text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else if (char === '"') {
            i++;
            break;
          } else {
            if (char === '\n') line++;
            field += char;
            i++;
          }
        }
        if (problem === undefined && i < text.length && !/[,\r\n]/.test(text[i] as string))
          problem = 'text follows a closing quote';
      } else {
        while (i < text.length && !/[,\r\n]/.test(text[i] as string)) {
          if (text[i] === '"') problem ??= 'a quote inside an unquoted field';
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      if (problem !== undefined) {
        // Skip to the end of the line: the next record starts on the next one.
        while (i < text.length && text[i] !== '\n') i++;
        break;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    const blank = problem === undefined && fields.length === 1 && fields[0] === '';
    if (!blank)
      records.push(problem === undefined ? { line: start, fields } : { line: start, problem });
  }
  return records;
}
