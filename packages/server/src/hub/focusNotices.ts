import type { BusMessage } from '../bus/BusMessage.js';
import { METRIC_NAMES } from '../createMetrics.js';
import type { FocusChange } from '../PresenceRegistry.js';
import type { AgentFanOut } from './agentFanOut.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';

/** Tells everyone concerned that focus moved. */
export interface FocusNotices {
  /**
   * Sends `focus` to the connection that gained focus and `blur` to the one that lost it,
   * then the `focus` event to agents. `origin` is the connection being handled, if the
   * change came from it: it is told directly, and not at all when `welcomed` (its `welcome`
   * already said it is focused).
   */
  apply(
    groupId: string,
    visitorId: string,
    change: FocusChange,
    origin?: Conn,
    welcomed?: boolean,
  ): void;
}

/**
 * Focus notices. The other connections of a visitor may live in other processes, so they
 * are told through the bus; only the connection being handled is written to directly.
 *
 * @example
 * const focus = createFocusNotices(ctx, io, fanOut);
 * const change = await registry.touch(key);
 * if (change) focus.apply(groupId, visitorId, change, conn);
 */
export function createFocusNotices(
  ctx: HubContext,
  io: ConnectionIO,
  fanOut: AgentFanOut,
): FocusNotices {
  const { bus, metrics } = ctx;
  const lost = (error: unknown) => ctx.internal(error, 'focus notice');
  const tell = (connectionId: string, message: BusMessage) => {
    bus.sendTo(connectionId, message).then(undefined, lost);
  };

  return {
    apply(groupId, visitorId, change, origin, welcomed = false) {
      metrics.inc(METRIC_NAMES.focusChanges);
      const epoch = change.epoch;
      if (origin?.id !== change.connectionId) tell(change.connectionId, { type: 'focus', epoch });
      else if (!welcomed) io.send(origin, { type: 'focus', epoch });
      const previous = change.previousConnectionId;
      if (previous !== undefined) {
        if (origin?.id !== previous) tell(previous, { type: 'blur', epoch });
        else io.send(origin, { type: 'blur', epoch });
      }
      fanOut.emit(groupId, visitorId, {
        type: 'focus',
        connectionId: change.connectionId,
        epoch,
      });
    },
  };
}
