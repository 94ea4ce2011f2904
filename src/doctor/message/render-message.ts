/**
 * The human report for `tessera doctor --error`: what the message means, and its causes ranked, each
 * with bucket, how to confirm it and the fix. Only the redacted excerpt of the message is shown.
 */
import type { MessageReport } from './match-error.js';

/**
 * Renders a message report as text.
 *
 * @example
 * ```ts
 * process.stdout.write(renderMessageReport(matchErrorMessage(text)));
 * ```
 */
export function renderMessageReport(report: MessageReport): string {
  const lines: string[] = [`Message: ${report.excerpt}`];
  if (report.redacted > 0)
    lines.push(
      `  (${report.redacted} token-like value${report.redacted === 1 ? '' : 's'} replaced by a short hash; never paste tokens into issues)`,
    );
  if (report.truncated) lines.push('  (only the start of the message was read)');
  lines.push('');
  if (report.matches.length === 0) {
    lines.push(
      'No known message: the doctor knows jsonwebtoken, jose, express-jwt, passport, @nestjs/jwt, fast-jwt, Supabase, Auth0, SuperTokens and Tessera messages.',
      'Paste the token itself into `tessera doctor` (stdin), or a browser recording with --har FILE.',
    );
    return `${lines.join('\n')}\n`;
  }
  for (const fact of report.facts) lines.push(`Fact: ${fact}`);
  if (report.facts.length > 0) lines.push('');
  let rank = 0;
  const seen = new Set<string>();
  for (const match of report.matches) {
    lines.push(`${match.source}: ${match.meaning}`);
    for (const cause of match.causes) {
      if (seen.has(cause.cause)) continue;
      seen.add(cause.cause);
      rank++;
      const tag = [cause.code, cause.bucket === null ? null : `${cause.bucket} bucket`]
        .filter((part) => part !== null)
        .join(', ');
      lines.push(
        `  ${rank}. ${cause.cause}${tag === '' ? '' : ` [${tag}]`}`,
        `     check: ${cause.check}`,
        `     fix: ${cause.fix}`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
