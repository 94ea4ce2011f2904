import type { RefreshTokenRow, SessionRow } from './session-store.js';

/**
 * A refresh token joined with its session, as both SQL stores select it: one statement, so the token and
 * its session come from one snapshot. The token's own columns carry a `token` prefix so they cannot
 * collide with the session's.
 */
export type RefreshTokenJoinRow = SessionRow & {
  tokenGeneration: number;
  tokenSecretHash: string;
  tokenCreatedAt: number;
};

/**
 * Splits a joined row back into the token and the session that `findRefreshToken` answers with.
 *
 * @example
 * ```ts
 * return row === undefined ? undefined : splitRefreshTokenJoin(tokenId, row);
 * ```
 */
export function splitRefreshTokenJoin(
  tokenId: string,
  row: RefreshTokenJoinRow,
): { token: RefreshTokenRow; session: SessionRow } {
  const { tokenGeneration, tokenSecretHash, tokenCreatedAt, ...session } = row;
  const token: RefreshTokenRow = {
    id: tokenId,
    sessionId: session.id,
    generation: tokenGeneration,
    secretHash: tokenSecretHash,
    createdAt: tokenCreatedAt,
  };
  return { token, session };
}
