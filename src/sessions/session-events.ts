import type { AuditEvent, SessionRow, SessionStore } from '../store/session-store.js';
import type { AuditEventType } from '../store/vocabulary.js';

/** Where a request came from, as far as an audit event records it. */
export interface EventOrigin {
  readonly ip?: string | null;
}

/**
 * The session core's audit trail: events described, written and shown to the `onEvent` listener.
 */
export interface SessionEvents {
  /** Describes an event stamped now, to be written inside another write's transaction. */
  describe(
    type: AuditEventType,
    session: SessionRow | undefined,
    origin: EventOrigin,
    detail?: Readonly<Record<string, unknown>>,
  ): AuditEvent;
  /** Shows an event already committed (with a login or a rotation) to the listener. */
  publish(event: AuditEvent): void;
  /** Writes an event on its own and shows it to the listener. */
  record(event: AuditEvent): Promise<void>;
  /** Describes, writes and shows an event in one step. */
  append(
    type: AuditEventType,
    session: SessionRow | undefined,
    origin: EventOrigin,
    detail?: Readonly<Record<string, unknown>>,
  ): Promise<void>;
}

/**
 * Creates the audit trail over a store. The listener sees an event only once it is written, so a
 * log never shows a rotation that a lost compare-and-swap undid.
 *
 * @example
 * ```ts
 * const events = createSessionEvents({ store, now: Date.now, onEvent: (e) => log.info(e) });
 * await events.append('logout', session, { ip: '203.0.113.7' });
 * ```
 */
export function createSessionEvents(options: {
  readonly store: Pick<SessionStore, 'appendEvent'>;
  readonly now: () => number;
  readonly onEvent?: ((event: AuditEvent) => void) | undefined;
}): SessionEvents {
  const { store, now, onEvent } = options;
  const describe: SessionEvents['describe'] = (type, session, origin, detail = {}) => ({
    at: now(),
    type,
    userId: session?.userId ?? null,
    sessionId: session?.id ?? null,
    ip: origin.ip ?? null,
    detail: JSON.stringify(detail),
  });
  const publish = (event: AuditEvent): void => {
    onEvent?.(event);
  };
  const record = async (event: AuditEvent): Promise<void> => {
    await store.appendEvent(event);
    publish(event);
  };
  return {
    describe,
    publish,
    record,
    append: (type, session, origin, detail) => record(describe(type, session, origin, detail)),
  };
}
